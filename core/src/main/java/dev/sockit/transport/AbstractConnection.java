package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.Peers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.time.Instant;

/**
 * What every connection keeps about itself, whatever carries its messages: its id, protocol
 * and addresses, when it opened, and why it closed, set once (the first reason wins and its
 * setter does the closing). Stream ({@link SocketConnection}), packet ({@link PacketConnection})
 * and datagram ({@link DatagramConnection}) connections add how they move their bytes.
 */
public abstract class AbstractConnection implements Drainable {

    private final long id;
    private final String protocol;
    private final SocketAddress local;
    private final SocketAddress remote;
    // Nanoseconds since the epoch, not an Instant: 24 bytes less for each idle connection.
    private final long openedAt;
    // The thread the server runs this connection's handler on; null for a client's connection.
    private volatile Thread handlerThread;
    // Set once (CLOSE_REASON): a field, not an AtomicReference, as every idle connection holds it.
    private volatile CloseReason closeReason;
    private static final VarHandle CLOSE_REASON;

    static {
        try {
            CLOSE_REASON = MethodHandles.lookup().findVarHandle(AbstractConnection.class, "closeReason", CloseReason.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    protected AbstractConnection(long id, String protocol, SocketAddress local, SocketAddress remote) {
        this.id = id;
        this.protocol = protocol;
        this.local = local;
        this.remote = remote;
        Instant now = Instant.now();
        this.openedAt = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * Records why the connection closes; true only for the first caller, which then closes it
     * (later reasons are not kept: the first is the one the peer and the log are told).
     */
    protected final boolean closing(CloseReason reason) {
        return CLOSE_REASON.compareAndSet(this, null, reason);
    }

    /** Throws, with the reason, once the connection has closed or begun to. */
    protected final void checkNotClosed() throws ClosedConnectionException {
        CloseReason reason = closeReason;
        if (reason != null) {
            throw new ClosedConnectionException(toString(), reason);
        }
    }

    protected final Instant openedAt() {
        return Instant.ofEpochSecond(0, openedAt);
    }

    @Override
    public final void handlerThread(Thread thread) {
        handlerThread = thread;
    }

    @Override
    public final Thread handlerThread() {
        return handlerThread;
    }

    @Override
    public final long id() {
        return id;
    }

    @Override
    public final String protocol() {
        return protocol;
    }

    @Override
    public final SocketAddress local() {
        return local;
    }

    @Override
    public final SocketAddress remote() {
        return remote;
    }

    @Override
    public final boolean isOpen() {
        return closeReason == null;
    }

    @Override
    public final CloseReason closeReason() {
        return closeReason;
    }

    /**
     * Its id's hash: a server finds its connections by id in a map keyed by the connections
     * themselves, with no boxed id for each. Equal only to itself, as before.
     */
    @Override
    public final int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public final boolean equals(Object other) {
        return this == other;
    }

    @Override
    public String toString() {
        return "connection " + id + " with " + Peers.describe(this);
    }
}
