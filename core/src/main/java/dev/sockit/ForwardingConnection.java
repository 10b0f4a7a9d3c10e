package dev.sockit;

import dev.sockit.proxy.ProxyHeader;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A connection that passes every call on to another: the base of a wrapper that changes one
 * or two behaviours and leaves the rest as they are. Override what changes; everything else
 * reaches {@link #delegate()} unchanged, {@code toString()} included.
 *
 * <pre>{@code
 * final class Counted extends ForwardingConnection {
 *     final LongAdder received = new LongAdder();
 *
 *     Counted(Connection connection) {
 *         super(connection);
 *     }
 *
 *     @Override
 *     public Message receive() throws IOException {
 *         Message message = super.receive();
 *         if (message != null) {
 *             received.increment();
 *         }
 *         return message;
 *     }
 * }
 * server = Server.listen(endpoint).handler(c -> handler.handle(new Counted(c))).start();
 * }</pre>
 *
 * <p>{@link #send(String)} and {@link #close()} are not forwarded as such: they call this
 * wrapper's {@link #send(Message)} and {@link #close(CloseReason)}, so that overriding those
 * covers them too.
 */
public abstract class ForwardingConnection implements Connection {

    private final Connection delegate;

    /**
     * Wraps {@code delegate}, which every call not overridden reaches.
     *
     * @param delegate the connection wrapped; not null
     */
    protected ForwardingConnection(Connection delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * The connection wrapped.
     *
     * @return the connection every call not overridden reaches
     */
    protected final Connection delegate() {
        return delegate;
    }

    @Override
    public long id() {
        return delegate.id();
    }

    @Override
    public Message receive() throws IOException {
        return delegate.receive();
    }

    @Override
    public void send(Message message) throws IOException {
        delegate.send(message);
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public void shutdownOutput() throws IOException {
        delegate.shutdownOutput();
    }

    @Override
    public String protocol() {
        return delegate.protocol();
    }

    @Override
    public SocketAddress local() {
        return delegate.local();
    }

    @Override
    public SocketAddress remote() {
        return delegate.remote();
    }

    @Override
    public Optional<Duration> roundTrip() {
        return delegate.roundTrip();
    }

    @Override
    public Optional<TlsSession> tls() {
        return delegate.tls();
    }

    @Override
    public Optional<ProxyHeader> proxyHeader() {
        return delegate.proxyHeader();
    }

    @Override
    public ConnectionStats stats() {
        return delegate.stats();
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public CloseReason closeReason() {
        return delegate.closeReason();
    }

    @Override
    public Optional<CloseReason> peerFarewell() {
        return delegate.peerFarewell();
    }

    @Override
    public void close(CloseReason reason) {
        delegate.close(reason);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
