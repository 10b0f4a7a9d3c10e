package dev.sockit.framing;

import java.io.IOException;

/**
 * The peer broke the framing's contract: a line or frame over the limit, bytes that are not
 * a valid frame. The connection cannot continue in step with the peer and is closed; the
 * message is written for people and is sent to the peer where the framing can carry it.
 */
public class FramingException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The close code to send the peer, or 0 for the framing's protocol error. */
    private final int closeCode;

    /**
     * A framing error closed with the framing's protocol-error code.
     *
     * @param message what was wrong, with the offending value and the limit
     */
    public FramingException(String message) {
        this(message, 0);
    }

    /**
     * For framings whose close carries a code that says more than "protocol error" (WebSocket:
     * 1007 for text that is not UTF-8, 1009 for a message over the limit).
     *
     * @param message   what was wrong, with the offending value and the limit
     * @param closeCode the close code to send the peer, or 0 for the framing's protocol error
     */
    public FramingException(String message, int closeCode) {
        super(message);
        this.closeCode = closeCode;
    }

    /** {@return the close code the peer is sent for this, or 0 for the framing's protocol error} */
    public int closeCode() {
        return closeCode;
    }
}
