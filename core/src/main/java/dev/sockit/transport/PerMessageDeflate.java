package dev.sockit.transport;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The server's answer to a client's permessage-deflate offers (RFC 7692 section 7): the first
 * offer whose parameters are all valid is accepted. The answer always carries
 * {@code client_no_context_takeover}, which a server may ask for: each message then inflates
 * on its own, and an idle connection holds no inflater (zlib keeps about 40 KiB per stream).
 * This side never compresses, which RFC 7692 allows, so the server's parameters the client
 * asks for ({@code server_no_context_takeover}, {@code server_max_window_bits}) are agreed to
 * as they are: nothing sent breaks them.
 */
final class PerMessageDeflate {

    static final String NAME = "permessage-deflate";

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

    private static String answer(String offer) {
        String[] parts = offer.split(";");
        if (!parts[0].strip().equalsIgnoreCase(NAME)) {
            return null;
        }
        StringBuilder answer = new StringBuilder(NAME).append("; client_no_context_takeover");
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            int equals = parameter.indexOf('=');
            String name = (equals < 0 ? parameter : parameter.substring(0, equals)).strip().toLowerCase(Locale.ROOT);
            String value = equals < 0 ? null : unquote(parameter.substring(equals + 1).strip());
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

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
