package dev.sockit;

import java.io.IOException;

/** A send on a connection that is closed, or whose peer has gone. Carries why it closed. */
public final class ClosedConnectionException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient CloseReason reason;

    /**
     * @param description which connection, for the message
     * @param reason      why it closed
     */
    public ClosedConnectionException(String description, CloseReason reason) {
        super(description + " is closed (" + reason.text() + ")");
        this.reason = reason;
    }

    /** Why the connection closed. */
    public CloseReason reason() {
        return reason;
    }
}
