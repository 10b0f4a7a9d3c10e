package dev.sockit.framing;

/**
 * A message (a line, a frame) longer than the framing allows. Thrown as soon as the limit is
 * passed, before the whole message has arrived, so that a peer cannot make us buffer more.
 */
public final class MessageTooLongException extends FramingException {
    private static final long serialVersionUID = 1L;
    // The WebSocket close code for a message too big to process (RFC 6455, 7.4.1).
    private static final int TOO_BIG = 1009;
    /** The limit in bytes that the message passed. */
    private final int limit;

    /**
     * For framings that count a message's bytes as they arrive, such as lines.
     *
     * @param what  the kind of message, "line" or "frame"
     * @param limit the limit in bytes that was passed
     */
    public MessageTooLongException(String what, int limit) {
        super(what + " longer than " + limit + " bytes", TOO_BIG);
        this.limit = limit;
    }

    /**
     * For framings that learn a message's length before its bytes, such as a length prefix:
     * the message says how long the peer declared it.
     *
     * @param what   the kind of message, "frame"
     * @param length the length in bytes the peer declared
     * @param limit  the limit in bytes that {@code length} passes
     */
    public MessageTooLongException(String what, long length, int limit) {
        super(what + " of " + length + " bytes is longer than the limit of " + limit + " bytes", TOO_BIG);
        this.limit = limit;
    }

    /** {@return the limit in bytes that the message passed} */
    public int limit() {
        return limit;
    }
}
