package dev.sockit.framing;

/**
 * A message (a line, a frame) longer than the framing allows. Thrown as soon as the limit is
 * passed, before the whole message has arrived, so that a peer cannot make us buffer more.
 */
public final class MessageTooLongException extends FramingException {
    private static final long serialVersionUID = 1L;
    private final int limit;

    /**
     * @param what  the kind of message, "line" or "frame"
     * @param limit the limit in bytes that was passed
     */
    public MessageTooLongException(String what, int limit) {
        super(what + " longer than " + limit + " bytes");
        this.limit = limit;
    }

    /** The limit in bytes that the message passed. */
    public int limit() {
        return limit;
    }
}
