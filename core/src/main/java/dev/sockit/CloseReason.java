package dev.sockit;

/**
 * Why a connection closed, in words for a log line or for the peer.
 *
 * <pre>{@code connection.close(CloseReason.of(Code.KICKED, "kicked by the operator"));}</pre>
 *
 * @param code the kind of reason, for code that acts on it
 * @param text what happened, for people
 * @param closeCode the close code to send where the framing carries one (WebSocket's 1000 to
 *     4999, e.g. 1007 for a text message that is not UTF-8), or 0 to send the one the framing
 *     gives {@code code}
 */
public record CloseReason(Code code, String text, int closeCode) {

    /** A reason whose close code on the wire follows from its kind. */
    public CloseReason(Code code, String text) {
        this(code, text, 0);
    }

    /**
     * This reason with its own close code for framings that carry one: an application's
     * 4000 to 4999, or a WebSocket code such as 1003 (a kind of data this side does not take).
     *
     * <pre>{@code connection.close(CloseReason.of(Code.CLOSED, "text only, please").withCloseCode(1003));}</pre>
     *
     * @throws IllegalArgumentException for a code outside 1000 to 4999
     */
    public CloseReason withCloseCode(int closeCode) {
        if (closeCode != 0 && (closeCode < 1000 || closeCode > 4999)) {
            throw new IllegalArgumentException("close code " + closeCode + " is outside 1000 to 4999; applications use"
                    + " 4000 to 4999");
        }
        return new CloseReason(code, text, closeCode);
    }

    /** The kinds of reason. */
    public enum Code {
        /** The peer ended its stream and the handler finished. */
        PEER_CLOSED,
        /** The handler returned, or the application closed the connection. */
        CLOSED,
        /** The peer reset the connection or it broke under us. */
        BROKEN,
        /** The server is stopping. */
        SHUTDOWN,
        /** The peer broke the framing: an over-long line, a malformed frame. */
        PROTOCOL_ERROR,
        /** A limit was reached: the number of connections (in all, or from one address), a peer not reading what it is sent. */
        LIMIT,
        /** Time ran out: the peer was silent too long (no heartbeat, the idle timeout), or read nothing of what we wrote for the write timeout. */
        TIMEOUT,
        /** The handler failed with an unexpected exception: a bug to report. */
        HANDLER_FAILED,
        /** The server's operator closed the connection, e.g. with {@code /kick} at the console. */
        KICKED
    }

    public CloseReason {
        if (code == null || text == null) {
            throw new IllegalArgumentException("a close reason needs a code and a text");
        }
        if (closeCode < 0) {
            throw new IllegalArgumentException("close code must not be negative, not " + closeCode);
        }
    }

    /**
     * The UTF-8 bytes of {@code text}, cut to at most {@code maxBytes} on a character boundary:
     * how a close frame, with its 123 bytes of reason, carries a longer text.
     */
    public static byte[] utf8Within(String text, int maxBytes) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int end = maxBytes;
        // A byte 10xxxxxx continues a character: back up to the start of the cut one.
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return java.util.Arrays.copyOf(bytes, end);
    }

    /** A reason with the given code and text. */
    public static CloseReason of(Code code, String text) {
        return new CloseReason(code, text);
    }

    private static final String PER_SOURCE = "too many connections from ";

    /** One address has {@code open} connections, the most one address may have ({@code Server.Builder.maxPerSource}). */
    public static CloseReason perSourceLimit(String address, int open) {
        return new CloseReason(Code.LIMIT, PER_SOURCE + address + ": " + open
                + " open, the most one address may have; try again later");
    }

    /** True for the reason {@link #perSourceLimit} gives, as opposed to the limit on all connections. */
    public boolean isPerSourceLimit() {
        return code == Code.LIMIT && text.startsWith(PER_SOURCE);
    }

    /** The peer closed its end. */
    public static CloseReason peerClosed() {
        return new CloseReason(Code.PEER_CLOSED, "peer closed the connection");
    }

    /** The application closed the connection. */
    public static CloseReason closed() {
        return new CloseReason(Code.CLOSED, "closed");
    }

    /**
     * True when the reason is the peer's fault, a limit, or the operator's decision to kick
     * it, and the framing should tell the peer why (lines send {@code error: TEXT}).
     */
    public boolean isError() {
        return code == Code.PROTOCOL_ERROR || code == Code.LIMIT || code == Code.KICKED;
    }

    @Override
    public String toString() {
        return text;
    }
}
