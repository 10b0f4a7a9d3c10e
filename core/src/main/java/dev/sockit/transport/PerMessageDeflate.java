package dev.sockit.transport;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * permessage-deflate's negotiation (RFC 7692 section 7), both sides of it.
 *
 * <p>A client offers it as browsers do ({@link #OFFER}) and takes the server's answer with
 * {@link #agreed}. It never compresses either, so whatever the answer says of the client's
 * window or context binds nothing it sends; only whether the server keeps its context between
 * messages matters, to the inflater.
 *
 * <p>The server's answer to a client's offers: the first offer whose parameters are all valid is accepted. The answer always carries
 * {@code client_no_context_takeover}, which a server may ask for: each message then inflates
 * on its own, and an idle connection holds no inflater (zlib keeps about 40 KiB per stream).
 * This side never compresses, which RFC 7692 allows, so the server's parameters the client
 * asks for ({@code server_no_context_takeover}, {@code server_max_window_bits}) are agreed to
 * as they are: nothing sent breaks them.
 */
final class PerMessageDeflate {

    static final String NAME = "permessage-deflate";

    /** A client's offer, as Chromium and Firefox send it. */
    static final String OFFER = NAME + "; client_max_window_bits";

    private PerMessageDeflate() {}

    /** The {@code Sec-WebSocket-Extensions} answer, or null when no offer is acceptable (or none was made). */
    static String accept(String offers) {
        if (offers == null) {
            return null;
        }
        for (String offer : offers.split(",")) {
            String answer = answer(offer);
            if (answer != null) {
                return answer;
            }
        }
        return null;
    }

    /**
     * The server's answer to {@link #OFFER}: true when it agreed to {@code
     * server_no_context_takeover} (each message it sends inflates on its own), false when it
     * keeps its context between messages.
     *
     * @throws IllegalArgumentException saying what is wrong with an answer that is not one
     *         permessage-deflate with valid parameters
     */
    static boolean agreed(String answer) {
        String[] parts = answer.split(";");
        if (answer.contains(",") || !parts[0].strip().equalsIgnoreCase(NAME)) {
            throw new IllegalArgumentException("it agreed to extensions we did not offer: \"" + answer.strip()
                    + "\" (offered: " + OFFER + ")");
        }
        boolean resets = false;
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < parts.length; i++) {
            Parameter parameter = Parameter.parse(parts[i]);
            String name = parameter.name();
            String value = parameter.value();
            boolean valid = seen.add(name) && switch (name) {
                case "server_no_context_takeover", "client_no_context_takeover" -> value == null;
                // Any window up to 15 bits inflates with zlib's default one; we compress nothing.
                case "server_max_window_bits", "client_max_window_bits" -> isWindowBits(value);
                default -> false;
            };
            if (!valid) {
                throw new IllegalArgumentException("its permessage-deflate answer has parameter \"" + parts[i].strip()
                        + "\", which RFC 7692 does not allow there (answer: \"" + answer.strip() + "\")");
            }
            resets |= name.equals("server_no_context_takeover");
        }
        return resets;
    }

    private static String answer(String offer) {
        String[] parts = offer.split(";");
        if (!parts[0].strip().equalsIgnoreCase(NAME)) {
            return null;
        }
        StringBuilder answer = new StringBuilder(NAME).append("; client_no_context_takeover");
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < parts.length; i++) {
            Parameter parameter = Parameter.parse(parts[i]);
            String name = parameter.name();
            String value = parameter.value();
            if (!seen.add(name)) {
                return null; // a parameter twice: the offer is invalid (7.1)
            }
            switch (name) {
                case "server_no_context_takeover" -> {
                    if (value != null) {
                        return null;
                    }
                    answer.append("; server_no_context_takeover");
                }
                case "client_no_context_takeover" -> {
                    if (value != null) {
                        return null;
                    }
                }
                case "server_max_window_bits" -> {
                    if (!isWindowBits(value)) {
                        return null;
                    }
                    answer.append("; server_max_window_bits=").append(value);
                }
                case "client_max_window_bits" -> {
                    // Any window up to 15 bits inflates with zlib's default one: no need to answer it.
                    if (value != null && !isWindowBits(value)) {
                        return null;
                    }
                }
                default -> {
                    return null; // unknown parameter: decline this offer
                }
            }
        }
        return answer.toString();
    }

    private static boolean isWindowBits(String value) {
        if (value == null || value.length() > 2 || value.startsWith("0") || !value.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15;
    }

    /** One {@code name[=value]} of an extension, the name in lower case, the value unquoted (null when absent). */
    private record Parameter(String name, String value) {
        static Parameter parse(String text) {
            String parameter = text.strip();
            int equals = parameter.indexOf('=');
            return new Parameter((equals < 0 ? parameter : parameter.substring(0, equals)).strip().toLowerCase(Locale.ROOT),
                    equals < 0 ? null : unquote(parameter.substring(equals + 1).strip()));
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
