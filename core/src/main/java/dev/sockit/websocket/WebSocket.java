package dev.sockit.websocket;

import dev.sockit.CloseReason;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a {@code ws://} or {@code wss://} endpoint speaks WebSocket (RFC 6455): the largest
 * message it takes, which browser pages may connect (by their {@code Origin}), the
 * subprotocols it offers, and whether a plain GET is answered with the built-in page.
 * Immutable: each method returns a changed copy.
 *
 * <pre>{@code
 * Server.listen(Endpoint.parse("ws://127.0.0.1:8080/chat"))
 *       .websocket(WebSocket.defaults().maxMessage(64 * 1024).allowOrigin("https://example.org"))
 *       .handler(Handlers.chat())
 *       .start();
 * }</pre>
 *
 * <p>Each text or binary WebSocket message is one {@link dev.sockit.Message}, text or
 * {@linkplain dev.sockit.Message#isBinary() binary} as it came; pings, pongs and the close
 * handshake are answered by the connection, never seen by handlers.
 */
public final class WebSocket {

    /** Close code: done, nothing went wrong. */
    public static final int NORMAL = 1000;
    /** Close code: the sender goes away, such as a server stopping. */
    public static final int GOING_AWAY = 1001;
    /** Close code: the peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** Close code: a kind of data this side does not take (binary where only text is understood). */
    public static final int UNSUPPORTED_DATA = 1003;
    /** Reported, never sent: the close frame carried no code. */
    public static final int NO_STATUS = 1005;
    /** Reported, never sent: the connection ended without a close frame. */
    public static final int ABNORMAL = 1006;
    /** Close code: a text message that is not UTF-8. */
    public static final int INVALID_DATA = 1007;
    /** Close code: a policy of this side (a limit, a timeout, the operator). */
    public static final int POLICY = 1008;
    /** Close code: a message over the size limit. */
    public static final int TOO_BIG = 1009;
    /** Close code, a client's: the server did not agree to an extension the client needs. */
    public static final int MANDATORY_EXTENSION = 1010;
    /** Close code: the sender failed unexpectedly. */
    public static final int INTERNAL_ERROR = 1011;

    /** The default limit on a message, all its fragments together: {@value} bytes (1 MiB). */
    public static final int DEFAULT_MAX_MESSAGE = 1 << 20;
    /** The most bytes of HTTP request head (request line and headers) a server reads: {@value}. */
    public static final int MAX_REQUEST_HEAD = 8 * 1024;

    private static final WebSocket DEFAULTS = new WebSocket(DEFAULT_MAX_MESSAGE, List.of(), List.of(), true, true,
            false);

    private final int maxMessage;
    private final List<String> allowedOrigins;
    private final List<String> subprotocols;
    private final boolean page;
    private final boolean deflate;
    private final boolean sendBinary;

    private WebSocket(int maxMessage, List<String> allowedOrigins, List<String> subprotocols, boolean page,
            boolean deflate, boolean sendBinary) {
        this.sendBinary = sendBinary;
        this.maxMessage = maxMessage;
        this.allowedOrigins = allowedOrigins;
        this.subprotocols = subprotocols;
        this.page = page;
        this.deflate = deflate;
    }

    /**
     * Messages up to 1 MiB, any origin, no subprotocol, the built-in page on a plain GET,
     * permessage-deflate accepted when a client offers it.
     *
     * @return the default settings, to be changed by the methods below
     */
    public static WebSocket defaults() {
        return DEFAULTS;
    }

    /**
     * The largest message taken, in bytes, all its fragments together (inflated, when
     * compressed); a peer that sends a larger one is closed with 1009. Default: 1 MiB.
     *
     * @param bytes the limit in bytes
     * @return a copy with that limit
     * @throws IllegalArgumentException below 1 or above 512 MiB
     */
    public WebSocket maxMessage(int bytes) {
        if (bytes < 1 || bytes > 1 << 29) {
            throw new IllegalArgumentException("maxMessage must be from 1 byte to 512 MiB, not " + bytes);
        }
        return new WebSocket(bytes, allowedOrigins, subprotocols, page, deflate, sendBinary);
    }

    /**
     * Lets only pages from these origins connect ({@code https://example.org}, scheme, host
     * and port as the browser sends them in {@code Origin}); others are answered 403. Clients
     * that send no {@code Origin} (programs, not browsers) are not affected. Adds to those
     * already allowed. Default: none listed, every origin may connect.
     *
     * @param origins origins as browsers write them, compared without regard to case
     * @return a copy that allows these origins too
     */
    public WebSocket allowOrigin(String... origins) {
        List<String> more = new java.util.ArrayList<>(allowedOrigins);
        for (String origin : origins) {
            Objects.requireNonNull(origin, "origin");
            String o = origin.strip();
            if (o.endsWith("/")) {
                o = o.substring(0, o.length() - 1);
            }
            if (!o.equals("null") && !o.contains("://")) {
                throw new IllegalArgumentException("origin \"" + origin + "\" is not an origin; write it as a browser"
                        + " sends it: SCHEME://HOST[:PORT], e.g. https://example.org");
            }
            more.add(o.toLowerCase(Locale.ROOT));
        }
        return new WebSocket(maxMessage, List.copyOf(more), subprotocols, page, deflate, sendBinary);
    }

    /**
     * The subprotocols this side speaks, most preferred first; the server picks the first of
     * these the client offers, and answers without one when the client offers none of them.
     * Default: none.
     *
     * @param names subprotocol names as sent in {@code Sec-WebSocket-Protocol}, e.g. {@code chat}
     * @return a copy that speaks these, replacing any named before
     */
    public WebSocket subprotocols(String... names) {
        for (String name : names) {
            if (name == null || name.isBlank() || !name.chars().allMatch(WebSocket::isTokenChar)) {
                throw new IllegalArgumentException("subprotocol \"" + name + "\" is not an HTTP token (letters, digits"
                        + " and !#$%&'*+-.^_`|~, no spaces or commas)");
            }
        }
        return new WebSocket(maxMessage, allowedOrigins, List.of(names), page, deflate, sendBinary);
    }

    /**
     * Whether a plain GET (no Upgrade) on the endpoint's path is answered with the built-in page;
     * without it such a request is answered 426 Upgrade Required. Default: true.
     *
     * @param page true to serve the page
     * @return a copy with that choice
     */
    public WebSocket page(boolean page) {
        return new WebSocket(maxMessage, allowedOrigins, subprotocols, page, deflate, sendBinary);
    }

    /**
     * Whether permessage-deflate (RFC 7692) is accepted when a client offers it (a server's
     * settings), or offered as browsers offer it (a client's). Either side inflates what it
     * receives and compresses nothing. Inflated messages are held to {@link #maxMessage}, so a
     * compression bomb is refused with 1009 before it is inflated past it. Default: true.
     *
     * @param deflate true to accept (a server) or offer (a client) compression
     * @return a copy with that choice
     */
    public WebSocket deflate(boolean deflate) {
        return new WebSocket(maxMessage, allowedOrigins, subprotocols, page, deflate, sendBinary);
    }

    /**
     * Whether every message this side sends goes as a binary message, text or not, as
     * {@code websocat --binary} does; received messages keep their kind. Default: false (text
     * unless a message is {@linkplain dev.sockit.Message#isBinary() binary} or not UTF-8).
     *
     * @param sendBinary true to send every message as binary
     * @return a copy with that choice
     */
    public WebSocket sendBinary(boolean sendBinary) {
        return new WebSocket(maxMessage, allowedOrigins, subprotocols, page, deflate, sendBinary);
    }

    /** {@return true when every message is sent as binary}; see {@link #sendBinary(boolean)}. */
    public boolean sendsBinary() {
        return sendBinary;
    }

    /** {@return the largest message taken, in bytes}; see {@link #maxMessage(int)}. */
    public int maxMessage() {
        return maxMessage;
    }

    /** {@return the origins allowed, lower case; empty when every origin may connect} */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** {@return the subprotocols spoken, most preferred first; empty for none} */
    public List<String> subprotocols() {
        return subprotocols;
    }

    /** {@return true when a plain GET is answered with the built-in page}; see {@link #page(boolean)}. */
    public boolean servesPage() {
        return page;
    }

    /** {@return true when permessage-deflate is accepted}; see {@link #deflate(boolean)}. */
    public boolean deflate() {
        return deflate;
    }

    /**
     * {@return true when a page from {@code origin} may connect} Always, when no origin was listed.
     *
     * @param origin the request's {@code Origin} header, or {@code null} when it sent none (always allowed)
     */
    public boolean allowsOrigin(String origin) {
        if (allowedOrigins.isEmpty() || origin == null) {
            return true;
        }
        return allowedOrigins.contains(origin.strip().toLowerCase(Locale.ROOT));
    }

    /**
     * The close code sent for a reason: its own ({@link CloseReason#closeCode()}) if it has
     * one, else {@code PEER_CLOSED} and {@code CLOSED} → 1000, {@code SHUTDOWN} → 1001,
     * {@code PROTOCOL_ERROR} → 1002, {@code LIMIT}, {@code TIMEOUT} and {@code KICKED} → 1008,
     * {@code BROKEN} and {@code HANDLER_FAILED} → 1011.
     *
     * @param reason why this side closes
     * @return the close code to send
     */
    public static int closeCode(CloseReason reason) {
        if (reason.closeCode() != 0) {
            return reason.closeCode();
        }
        return switch (reason.code()) {
            case PEER_CLOSED, CLOSED -> NORMAL;
            case SHUTDOWN -> GOING_AWAY;
            case PROTOCOL_ERROR -> PROTOCOL_ERROR;
            case LIMIT, TIMEOUT, KICKED -> POLICY;
            case BROKEN, HANDLER_FAILED -> INTERNAL_ERROR;
        };
    }

    /**
     * {@return a close code in words, for logs}: {@code closeCodeName(1009)} is "message too big".
     *
     * @param code a close code, known or not
     */
    public static String closeCodeName(int code) {
        return switch (code) {
            case NORMAL -> "normal";
            case GOING_AWAY -> "going away";
            case PROTOCOL_ERROR -> "protocol error";
            case UNSUPPORTED_DATA -> "unsupported data";
            case NO_STATUS -> "no status";
            case ABNORMAL -> "abnormal closure";
            case INVALID_DATA -> "invalid data";
            case POLICY -> "policy violation";
            case TOO_BIG -> "message too big";
            case MANDATORY_EXTENSION -> "mandatory extension";
            case INTERNAL_ERROR -> "internal error";
            default -> code >= 3000 && code <= 4999 ? "application" : "unknown";
        };
    }

    /** True for a code a close frame may carry (RFC 6455 7.4 and the IANA registry). */
    static boolean isSendable(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    @Override
    public String toString() {
        return "WebSocket (max message " + maxMessage + " bytes" + (allowedOrigins.isEmpty() ? "" : ", origins "
                + allowedOrigins) + (subprotocols.isEmpty() ? "" : ", subprotocols " + subprotocols) + ")";
    }
}
