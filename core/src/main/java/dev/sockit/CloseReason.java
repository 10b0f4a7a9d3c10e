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

    /**
     * A reason whose close code on the wire follows from its kind.
     *
     * @param code the kind of reason
     * @param text what happened, for people
     * @throws IllegalArgumentException when {@code code} or {@code text} is null
     */
    public CloseReason(Code code, String text) {
        this(code, text, 0);
    }

    /**
     * This reason with its own close code for framings that carry one: an application's
     * 4000 to 4999, or a WebSocket code such as 1003 (a kind of data this side does not take).
     *
     * <pre>{@code connection.close(CloseReason.of(Code.CLOSED, "text only, please").withCloseCode(1003));}</pre>
     *
     * @param closeCode 1000 to 4999, or 0 for the code that follows from the kind
     * @return the same reason with that close code
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

    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException when {@code code} or {@code text} is null, or {@code closeCode} negative
     */
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
     *
     * @param text     the text
     * @param maxBytes the most bytes to keep, 0 or more
     * @return the bytes, the whole text when it fits
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

    /**
     * {@return a reason with the given code and text}
     *
     * @param code the kind of reason
     * @param text what happened, for people
     * @throws IllegalArgumentException when {@code code} or {@code text} is null
     */
    public static CloseReason of(Code code, String text) {
        return new CloseReason(code, text);
    }

    private static final String PER_SOURCE = "too many connections from ";

    /**
     * {@return the reason a peer is refused when its address has the most connections one may have}
     * See {@code Server.Builder.maxPerSource}.
     *
     * @param address the peer's address, as the log shows it
     * @param open    how many connections it has open
     */
    public static CloseReason perSourceLimit(String address, int open) {
        return new CloseReason(Code.LIMIT, PER_SOURCE + address + ": " + open
                + " open, the most one address may have; try again later");
    }

    /** {@return true for the reason {@link #perSourceLimit} gives}, as opposed to the limit on all connections. */
    public boolean isPerSourceLimit() {
        return code == Code.LIMIT && text.startsWith(PER_SOURCE);
    }

    /** {@return the reason for a peer that closed its end} */
    public static CloseReason peerClosed() {
        return new CloseReason(Code.PEER_CLOSED, "peer closed the connection");
    }

    /** {@return the reason for a connection the application closed} */
    public static CloseReason closed() {
        return new CloseReason(Code.CLOSED, "closed");
    }

    /**
     * True when the reason is the peer's fault, a limit, or the operator's decision to kick
     * it, and the framing should tell the peer why (lines send {@code error: TEXT}).
     *
     * @return true for {@code PROTOCOL_ERROR}, {@code LIMIT} and {@code KICKED}
     */
    public boolean isError() {
        return code == Code.PROTOCOL_ERROR || code == Code.LIMIT || code == Code.KICKED;
    }

    @Override
    public String toString() {
        return text;
    }
}
