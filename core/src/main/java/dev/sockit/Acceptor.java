package dev.sockit;

import dev.sockit.proxy.ProxyHeader;
import dev.sockit.proxy.ProxyHeaderException;
import dev.sockit.transport.DatagramConnection;
import dev.sockit.transport.Errors;
import dev.sockit.transport.PacketConnection;
import dev.sockit.transport.ProxyHeaderReader;
import dev.sockit.transport.SocketConnection;
import dev.sockit.transport.TlsChannel;
import dev.sockit.transport.TlsContext;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * What a server does with each channel its listeners accept, and each UDP peer's first
 * datagram: judged by {@link Admission}, built into a connection for its {@link Site}, and
 * handed to {@link LiveConnections}. Runs on the accept thread, so every step is cheap and
 * none waits on the peer; whatever reads from the peer (a PROXY header, the TLS handshake, a
 * WebSocket upgrade) happens later on the connection's own thread. Whatever fails here, the
 * channel is closed and what was taken for it given back.
 */
final class Acceptor {

    private final ServerSettings settings;
    // TLS only: the certificate in use, swapped when its files change; null otherwise.
    private final TlsContext tls;
    private final Admission admission;
    private final LiveConnections live;
    private final BooleanSupplier stopping;
    // Connections from trusted proxies whose PROXY header is being read; closed by a stop.
    private final Set<SocketChannel> awaitingHeader = ConcurrentHashMap.newKeySet();

    Acceptor(ServerSettings settings, TlsContext tls, Admission admission, LiveConnections live, BooleanSupplier stopping) {
        this.settings = settings;
        this.tls = tls;
        this.admission = admission;
        this.live = live;
        this.stopping = stopping;
    }

    /**
     * Admission of a stream channel: the access policy, then the connection limits, then the
     * connection is built and handed to a thread of its own.
     */
    void accepted(SocketChannel channel, Site site) {
        SocketAddress remote = null;
        boolean slotTaken = false;
        try {
            if (stopping.getAsBoolean()) {
                closeQuietly(channel);
                return;
            }
            remote = channel.getRemoteAddress(); // known since accept: no system call
            if (settings.proxy() != null && settings.proxy().trusts(remote)) {
                acceptProxied(channel, remote, site);
                return;
            }
            if (admission.refuses(remote)) {
                // Closed before a byte is sent or a handler runs: a stranger learns nothing of what
                // listens here, not even the framing. Closing never blocks, so it is done right here.
                closeQuietly(channel);
                return;
            }
            CloseReason limit = admission.takeSlot(remote);
            if (limit != null) {
                admission.reject(channel, remote, limit, site);
                return;
            }
            slotTaken = true;
            // The handshake waits for the connection's own thread (start()): a slow or silent
            // peer must not hold up the accept loop.
            Endpoint where = site.endpoint();
            live.admit(where != null && where.kind() == Endpoint.Kind.UNIX_SEQPACKET
                    ? new PacketConnection(live.nextId(), channel, where.kind().scheme(),
                            UnixDomainSocketAddress.of(where.path()), remote, settings.maxDatagram(),
                            settings.connection().writeTimeout(), settings.observer())
                    : new SocketConnection(live.nextId(), channel, site.connection(), tlsChannel(channel, site),
                            null, site.opening(), null));
        } catch (IOException resetAlready) {
            closeQuietly(channel);
            if (slotTaken) {
                admission.releaseSlot(remote);
            }
        } catch (RuntimeException bug) {
            // Not the peer's doing (a framing's or TLS engine's failure): report it, and lose
            // neither the permit, the source's slot nor the descriptor over it.
            closeQuietly(channel);
            if (slotTaken) {
                admission.releaseSlot(remote);
            }
            settings.observer().acceptFailed(bug);
        }
    }

    /**
     * A connection from a trusted proxy, which must begin with a PROXY header: it holds a
     * connection permit while the header is read on a thread of its own (the accept loop never
     * waits on a peer); the access policy and the per-source limit then judge the client the
     * header names, not the proxy.
     */
    private void acceptProxied(SocketChannel channel, SocketAddress proxy, Site site) {
        CloseReason limit = admission.takePermit();
        if (limit != null) {
            admission.reject(channel, proxy, limit, site);
            return;
        }
        awaitingHeader.add(channel);
        Thread.ofVirtual().name("sockit-proxy-header").start(() -> readHeader(channel, proxy, site));
    }

    /**
     * Reads a proxied connection's header (before TLS, within the header timeout), then admits
     * it as the client it names. A bad header closes it unserved, reported with the reason. A
     * header that names no client (a LOCAL health check, UNKNOWN) is the trusted proxy's own
     * connection: served with the socket's addresses, and not judged by the access policy.
     */
    private void readHeader(SocketChannel channel, SocketAddress proxy, Site site) {
        boolean permitHeld = true;
        SocketAddress client = null;
        try {
            ProxyHeaderReader.Result proxied;
            try {
                proxied = ProxyHeaderReader.read(channel, settings.proxy());
            } catch (IOException e) {
                if (!stopping.getAsBoolean()) {
                    admission.refuseProxyHeader(proxy,
                            e instanceof ProxyHeaderException ? e.getMessage() : Errors.describe(e));
                }
                return;
            }
            ProxyHeader header = proxied.header();
            client = header.hasAddresses() ? header.source() : proxy;
            if (stopping.getAsBoolean() || (header.hasAddresses() && admission.refuses(client))) {
                return;
            }
            CloseReason limit = admission.takeSource(client);
            if (limit != null) {
                admission.releasePermit();
                permitHeld = false;
                admission.reject(channel, client, limit, site);
                return;
            }
            try {
                live.admit(new SocketConnection(live.nextId(), channel, site.connection(), tlsChannel(channel, site),
                        proxied, site.opening(), null));
                permitHeld = false; // the connection's own now: serve() gives it back
            } catch (IOException | RuntimeException e) {
                admission.releaseSource(client);
                throw e;
            }
        } catch (IOException resetAlready) {
            // Gone before it could be served: nothing to report.
        } catch (RuntimeException bug) {
            settings.observer().acceptFailed(bug);
        } finally {
            awaitingHeader.remove(channel);
            if (permitHeld) {
                closeQuietly(channel);
                admission.releasePermit();
            }
        }
    }

    /** Opens a UDP session for a peer's first datagram, or refuses it (null) at the limit. */
    DatagramConnection openSession(SocketAddress peer, LongFunction<DatagramConnection> create) {
        if (stopping.getAsBoolean() || admission.refuses(peer)) {
            return null;
        }
        CloseReason limit = admission.takeSlot(peer);
        if (limit != null) {
            // No answer goes back: the peer's address is unverified, and a reply could be aimed at someone else.
            admission.turnedAway(peer, limit);
            return null;
        }
        DatagramConnection session;
        try {
            session = create.apply(live.nextId());
        } catch (RuntimeException e) {
            admission.releaseSlot(peer);
            throw e;
        }
        live.admit(session);
        return session;
    }

    /** Closes the connections still reading their PROXY header, which wakes their readers: they give up. */
    void stop() {
        awaitingHeader.forEach(Acceptor::closeQuietly);
    }

    /** TLS over the channel for a tls:// or wss:// site (its handshake runs later, on the connection's thread); else null. */
    private TlsChannel tlsChannel(SocketChannel channel, Site site) {
        return site.tls() ? new TlsChannel(channel, settings.tls().engine(tls.current(), site.endpoint()), null,
                settings.handshakeTimeout()) : null;
    }

    static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Never used: nothing to report.
        }
    }
}
