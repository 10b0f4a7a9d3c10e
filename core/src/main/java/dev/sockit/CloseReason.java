package dev.sockit;

/**
 * Why a connection closed, in words for a log line or for the peer.
 *
 * <pre>{@code connection.close(CloseReason.of(Code.KICKED, "kicked by the operator"));}</pre>
 *
 * @param code the kind of reason, for code that acts on it
 * @param text what happened, for people
 */
public record CloseReason(Code code, String text) {

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
