package dev.sockit;

import java.io.IOException;

/** A send on a connection that is closed, or whose peer has gone. Carries why it closed. */
public final class ClosedConnectionException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient CloseReason reason;

    /**
     * A send or receive on a connection that has closed.
     *
     * @param description which connection, for the message
     * @param reason      why it closed
     */
    public ClosedConnectionException(String description, CloseReason reason) {
        super(description + " is closed (" + reason.text() + ")");
        this.reason = reason;
    }

    /** {@return why the connection closed}; null after deserialization, which does not keep it. */
    public CloseReason reason() {
        return reason;
    }
}
