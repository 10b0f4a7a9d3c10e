package dev.sockit.proxy;

import java.io.IOException;

/**
 * A PROXY protocol header was malformed, of a version not accepted, over the size cap, or did
 * not come in time. The connection cannot be trusted and is closed without service; the
 * message names the fault with the offending value, for the server's log.
 */
public class ProxyHeaderException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A header refused for the reason {@code message} gives.
     *
     * @param message what was wrong, with the offending value
     */
    public ProxyHeaderException(String message) {
        super(message);
    }
}
