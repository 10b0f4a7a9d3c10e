package dev.sockit.framing;

import java.io.IOException;

/**
 * The peer broke the framing's contract: a line or frame over the limit, bytes that are not
 * a valid frame. The connection cannot continue in step with the peer and is closed; the
 * message is written for people and is sent to the peer where the framing can carry it.
 */
public class FramingException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, with the offending value and the limit */
    public FramingException(String message) {
        super(message);
    }
}
