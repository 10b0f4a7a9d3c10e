package dev.sockit.transport;

import javax.net.ssl.SSLHandshakeException;

/**
 * A TLS handshake failed or did not finish in time; the message says why in words (an
 * untrusted or expired certificate, a name mismatch, a peer that does not speak TLS) and
 * what to do.
 */
public final class TlsHandshakeException extends SSLHandshakeException {

    private final boolean timedOut;

    public TlsHandshakeException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public TlsHandshakeException(String message, Throwable cause, boolean timedOut) {
        super(message);
        if (cause != null) {
            initCause(cause);
        }
        this.timedOut = timedOut;
    }

    /** True when the handshake did not finish within its timeout. */
    public boolean timedOut() {
        return timedOut;
    }
}
