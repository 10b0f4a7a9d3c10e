package dev.sockit;

import dev.sockit.cluster.Broker;
import dev.sockit.framing.Framing;
import dev.sockit.framing.FramingException;
import dev.sockit.framing.Lines;
import dev.sockit.jfr.FlightRecorderObserver;
import dev.sockit.metrics.Histogram;
import dev.sockit.metrics.Metrics;
import dev.sockit.proxy.ProxyHeader;
import dev.sockit.proxy.ProxyHeaderException;
import dev.sockit.proxy.ProxyProtocol;
import dev.sockit.transport.Clock;
import dev.sockit.transport.ConnectionSettings;
import dev.sockit.transport.DatagramConnection;
import dev.sockit.transport.DatagramListener;
import dev.sockit.transport.Drainable;
import dev.sockit.transport.Errors;
import dev.sockit.transport.Listener;
import dev.sockit.transport.MemoryBudget;
import dev.sockit.transport.ProxyHeaderReader;
import dev.sockit.transport.SocketConnection;
import dev.sockit.transport.PacketConnection;
import dev.sockit.transport.StreamListener;
import dev.sockit.transport.linux.SocketActivation;
import dev.sockit.transport.TlsChannel;
import dev.sockit.transport.TlsContext;
import dev.sockit.transport.TlsHandshakeException;
import dev.sockit.transport.Udp;
import dev.sockit.transport.Unix;
import dev.sockit.transport.WebSocketUpgrade;
import dev.sockit.websocket.WebSocket;
import dev.sockit.websocket.WebSocketFrames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Listens on an endpoint and runs a {@link Handler} for every connection, each on a virtual
 * thread of its own. Knows its live connections, refuses those over the limit, and stops
 * gracefully.
 *
 * <pre>{@code
 * try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:8001"))
 *         .handler(Handlers.ack("server received your message."))
 *         .start()) {
 *     server.awaitClosed();
 * }
 * }</pre>
 *
 * <p>Closing is graceful: stop accepting; let every handler finish the input it already has
 * (its replies go out); after the drain timeout, close what is left.
 *
 * <p>Every kind of endpoint is served through the same handlers:
 * <ul>
 *   <li>{@code tcp://HOST:PORT}, including {@code tcp://[::1]:PORT}; {@code tcp://[::]:PORT}
 *       accepts IPv4 clients too where the system allows dual stack (Linux does unless
 *       net.ipv6.bindv6only is set).</li>
 *   <li>{@code unix:/PATH}: a Unix domain stream socket. The server creates the socket file
 *       with {@link Builder#socketMode} (default {@code 0600}: its owner alone may connect),
 *       refuses to start when another server listens there or the path is not a socket,
 *       replaces a stale socket file left by a server that died, and removes the file when
 *       it stops.</li>
 *   <li>{@code udp://HOST:PORT}: each datagram is one message. A peer's first datagram opens
 *       a connection with it (a session), which ends when the peer has been silent for
 *       {@link Builder#sessionTimeout}; {@code send} answers with one datagram. Empty
 *       datagrams are empty messages; datagrams over {@link Builder#maxDatagram} are dropped
 *       and their sender told.</li>
 * </ul>
 */
public final class Server implements AutoCloseable {

    private final Settings settings;
    private final Map<Long, Drainable> connections = new ConcurrentHashMap<>();
    // Each live connection's handler thread, so that close() can cut off one that outlives the drain.
    private final Map<Long, Thread> handlers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong proxyHeaderRefused = new AtomicLong();
    // Connections open per source address, for maxPerSource; an address leaves at zero.
    private final Map<InetAddress, Integer> perSource = new ConcurrentHashMap<>();
    // The traffic of connections that have closed; guarded by itself, together with leaving
    // connections, so that stats() counts a closing connection exactly once.
    private final long[] closedTotals = new long[4];
    private final Semaphore permits;
    // What a new connection needs of the memory budget to be worth admitting: a busy read buffer.
    private static final long ROOM_FOR_ONE = 8 * 1024;
    // Refusals still saying goodbye; see reject().
    private static final int REFUSALS_IN_FLIGHT = 64;
    private final Semaphore refusals = new Semaphore(REFUSALS_IN_FLIGHT);
    // Connections from trusted proxies whose PROXY header is being read; closed by stop().
    private final Set<SocketChannel> awaitingHeader = ConcurrentHashMap.newKeySet();
    private final Object drained = new Object();
    private final CountDownLatch closed = new CountDownLatch(1);
    // One per endpoint; the first is the one endpoint() names.
    private final List<Listener> listeners;
    // TLS only: the certificate in use, swapped when its files change; null otherwise.
    private final TlsContext tls;
    // Flight Recorder events; closed with the server, which ends its periodic statistics.
    private final FlightRecorderObserver flight;
    // What crosses to other nodes; a node alone unless the builder was given a broker.
    private final Cluster cluster;
    private volatile boolean closing;

    private Server(Settings settings, FlightRecorderObserver flight, Broker broker) throws IOException {
        this.settings = settings;
        this.flight = flight;
        this.permits = new Semaphore(settings.maxConnections());
        this.cluster = new Cluster(this, broker);
        Observer observer = settings.observer();
        this.tls = settings.tls() == null ? null : TlsContext.watch(settings.tls()::context, settings.tls().files(),
                settings.tls().reloadInterval(), (files, failure) -> {
                    if (failure == null) {
                        observer.tlsReloaded(files);
                    } else {
                        observer.tlsReloadFailed(files, failure);
                    }
                });
        List<Listener> bound = new java.util.ArrayList<>();
        try {
            if (settings.endpoints().isEmpty()) {
                bound.add(listener(site(null)));
            }
            for (Endpoint endpoint : settings.endpoints()) {
                bound.add(listener(site(endpoint)));
            }
        } catch (IOException | RuntimeException e) {
            // One endpoint could not be bound: the others it had bound are given back.
            bound.forEach(l -> {
                l.close();
                l.release();
            });
            if (tls != null) {
                tls.close();
            }
            cluster.close();
            throw e;
        }
        this.listeners = List.copyOf(bound);
    }

    /**
     * One endpoint of the server and how its connections are made: its framing (WebSocket's
     * own on ws:// and wss://), whether TLS runs under it, its WebSocket settings.
     */
    private record Site(Endpoint endpoint, ConnectionSettings connection, boolean tls, WebSocket websocket) {}

    /** The site of {@code endpoint}, or of the socket systemd passed when it is null. */
    private Site site(Endpoint endpoint) {
        if (endpoint == null) {
            return new Site(null, settings.connection(), settings.tls() != null, null);
        }
        if (endpoint.kind().isWebSocket()) {
            WebSocket ws = settings.websocket();
            return new Site(endpoint, settings.connection().withFraming(WebSocketFrames.server(ws.maxMessage())),
                    endpoint.kind().isTls(), ws);
        }
        return new Site(endpoint, settings.connection(), endpoint.kind().isTls(), null);
    }

    private Listener listener(Site site) throws IOException {
        Duration userTimeout = settings.connection().heartbeat().userTimeout();
        Endpoint endpoint = site.endpoint();
        if (endpoint == null) {
            return StreamListener.activated(settings.tls() != null, userTimeout, channel -> accepted(channel, site),
                    settings.observer()::acceptFailed);
        }
        return switch (endpoint.kind()) {
            case TCP, UNIX, TLS, UNIX_SEQPACKET, WS, WSS -> StreamListener.start(endpoint, new StreamListener.Options(settings.backlog(),
                    settings.socketMode(), settings.reusePort(), userTimeout), channel -> accepted(channel, site),
                    settings.observer()::acceptFailed);
            case UDP -> DatagramListener.start(endpoint,
                    new DatagramConnection.Settings(settings.maxDatagram(), settings.sessionTimeout(), null,
                            settings.connection().clock()),
                    settings.observer(), this::openSession);
            case UNIXGRAM -> DatagramListener.startUnix(endpoint, settings.socketMode(),
                    new DatagramConnection.Settings(settings.maxDatagram(), settings.sessionTimeout(), null,
                            settings.connection().clock()),
                    settings.observer(), this::openSession);
        };
    }

    /** Starts describing a server that will listen on {@code endpoint}; port 0 picks a free port. */
    public static Builder listen(Endpoint endpoint) {
        return new Builder(List.of(Objects.requireNonNull(endpoint, "endpoint")));
    }

    /**
     * Starts describing one server listening on several endpoints: one set of connections,
     * one handler, one chat room, one console, whatever the kind each peer came through.
     *
     * <pre>{@code
     * Server.listen(Endpoint.parse("tcp://127.0.0.1:8001"), Endpoint.parse("ws://127.0.0.1:8080/chat"))
     *       .handler(Handlers.chat())     // a line typed in nc reaches the browser, and back
     *       .start();
     * }</pre>
     *
     * @throws IllegalArgumentException when an endpoint is given twice
     */
    public static Builder listen(Endpoint first, Endpoint... more) {
        List<Endpoint> all = new java.util.ArrayList<>();
        all.add(Objects.requireNonNull(first, "endpoint"));
        for (Endpoint endpoint : more) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (all.contains(endpoint)) {
                throw new IllegalArgumentException("endpoint " + endpoint + " is given twice; give each once");
            }
            all.add(endpoint);
        }
        return new Builder(List.copyOf(all));
    }

    /**
     * Starts describing a server on the listening socket systemd passed to this process
     * (socket activation: {@code LISTEN_PID} names this process, {@code LISTEN_FDS=1}, the
     * socket is descriptor 3): a TCP socket serves {@code tcp://}, or {@code tls://} when
     * {@link Builder#tls} is given; a Unix stream socket serves {@code unix:}, and its file is
     * left to systemd. {@link Builder#start()} takes the socket. Linux only.
     *
     * <pre>{@code
     * Server server = (Server.socketPassed() ? Server.activated() : Server.listen(endpoint)).start();
     * }</pre>
     */
    public static Builder activated() {
        return new Builder(List.of());
    }

    /** True when systemd (or a launcher that does as it does) passed this process a socket: see {@link #activated()}. */
    public static boolean socketPassed() {
        return SocketActivation.passed();
    }

    /** The endpoint as bound: with port 0, the port the system chose. The first, when there are several. */
    public Endpoint endpoint() {
        return listeners.getFirst().endpoint();
    }

    /** Every endpoint as bound, in the order given. */
    public List<Endpoint> endpoints() {
        return listeners.stream().map(Listener::endpoint).toList();
    }

    /** The port the server listens on; -1 for a Unix socket. The first endpoint's, when there are several. */
    public int port() {
        return endpoint().port();
    }

    /** The live connections, a snapshot. */
    public Collection<Connection> connections() {
        return List.copyOf(connections.values());
    }

    /** The live connection with this id, if there is one. */
    public Optional<Connection> connection(long id) {
        return Optional.ofNullable(connections.get(id));
    }

    /** How many peers were turned away at a connection limit: the total, or the most from one address. */
    public long rejectedCount() {
        return rejected.get();
    }

    /**
     * The server's counters now: open, accepted, rejected and refused connections, and messages and
     * bytes in and out over every connection served, closed or open.
     */
    public ServerStats stats() {
        long messagesIn, messagesOut, bytesIn, bytesOut;
        int open;
        synchronized (closedTotals) {
            messagesIn = closedTotals[0];
            messagesOut = closedTotals[1];
            bytesIn = closedTotals[2];
            bytesOut = closedTotals[3];
            Collection<Drainable> live = List.copyOf(connections.values());
            open = live.size();
            for (Drainable connection : live) {
                ConnectionStats stats = connection.stats();
                messagesIn += stats.messagesIn();
                messagesOut += stats.messagesOut();
                bytesIn += stats.bytesIn();
                bytesOut += stats.bytesOut();
            }
        }
        return new ServerStats(open, ids.get(), rejected.get(), refused.get(), proxyHeaderRefused.get(), messagesIn, messagesOut, bytesIn, bytesOut);
    }

    /**
     * How many datagrams a UDP server dropped: over the size limit, arriving faster than
     * their handler reads, or arriving while the server stops. Always 0 for streams.
     */
    public long droppedDatagrams() {
        return listeners.stream().mapToLong(l -> l instanceof DatagramListener datagrams ? datagrams.droppedCount() : 0)
                .sum();
    }

    /**
     * Sends {@code message} to every live connection, and through the {@link Builder#broker
     * broker} to every connection of every other node; returns how many of this server's
     * connections it reached. See {@link Cluster#broadcast}.
     */
    public int broadcast(Message message) {
        return cluster.broadcast(message);
    }

    /**
     * This server's place in its cluster: the connections and counters of every node, and
     * commands for a connection on any node. A node alone without a broker.
     */
    public Cluster cluster() {
        return cluster;
    }

    /** Sends {@code message} to every live connection of this server only; how many it reached. */
    int broadcastHere(Message message) {
        int reached = 0;
        for (Connection connection : connections.values()) {
            try {
                connection.send(message);
                reached++;
            } catch (IOException gone) {
                // That peer is leaving; its own handler reports why. The others still get it.
            }
        }
        return reached;
    }

    /**
     * Admission, on the accept thread, so every step is cheap and none waits on the peer: the
     * access policy, then the connection limits, then the connection is built and handed to a
     * thread of its own, where anything that reads from the peer (the TLS handshake) happens.
     * Whatever fails here, the channel is closed and what was taken for it given back.
     */
    private void accepted(SocketChannel channel, Site site) {
        SocketAddress remote = null;
        boolean slotTaken = false;
        try {
            if (closing) {
                closeQuietly(channel);
                return;
            }
            remote = channel.getRemoteAddress(); // known since accept: no system call
            if (settings.proxy() != null && settings.proxy().trusts(remote)) {
                acceptProxied(channel, remote, site);
                return;
            }
            if (refuses(remote)) {
                // Closed before a byte is sent or a handler runs: a stranger learns nothing of what
                // listens here, not even the framing. Closing never blocks, so it is done right here.
                closeQuietly(channel);
                return;
            }
            CloseReason limit = takeSlot(remote);
            if (limit != null) {
                reject(channel, remote, limit, site);
                return;
            }
            slotTaken = true;
            // The handshake waits for the connection's own thread (start()): a slow or silent
            // peer must not hold up the accept loop.
            Endpoint where = site.endpoint();
            admit(where != null && where.kind() == Endpoint.Kind.UNIX_SEQPACKET
                    ? new PacketConnection(ids.incrementAndGet(), channel, where.kind().scheme(),
                            UnixDomainSocketAddress.of(where.path()), remote, settings.maxDatagram(),
                            settings.connection().writeTimeout(), settings.observer())
                    : new SocketConnection(ids.incrementAndGet(), channel, site.connection(), tlsChannel(channel, site),
                            null, opening(site)));
        } catch (IOException resetAlready) {
            closeQuietly(channel);
            if (slotTaken) {
                releaseSlot(remote);
            }
        } catch (RuntimeException bug) {
            // Not the peer's doing (a framing's or TLS engine's failure): report it, and lose
            // neither the permit, the source's slot nor the descriptor over it.
            closeQuietly(channel);
            if (slotTaken) {
                releaseSlot(remote);
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
        CloseReason limit = takePermit();
        if (limit != null) {
            reject(channel, proxy, limit, site);
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
                if (!closing) {
                    proxyHeaderRefused.incrementAndGet();
                    settings.observer().proxyHeaderRefused(proxy,
                            e instanceof ProxyHeaderException ? e.getMessage() : Errors.describe(e));
                }
                return;
            }
            ProxyHeader header = proxied.header();
            client = header.hasAddresses() ? header.source() : proxy;
            if (closing || (header.hasAddresses() && refuses(client))) {
                return;
            }
            CloseReason limit = takeSource(client);
            if (limit != null) {
                permits.release();
                permitHeld = false;
                reject(channel, client, limit, site);
                return;
            }
            try {
                admit(new SocketConnection(ids.incrementAndGet(), channel, site.connection(), tlsChannel(channel, site),
                        proxied, opening(site)));
                permitHeld = false; // the connection's own now: serve() gives it back
            } catch (IOException | RuntimeException e) {
                releaseSource(client);
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
                permits.release();
            }
        }
    }

    /** A WebSocket endpoint's opening step, the HTTP upgrade; null for other endpoints. */
    private WebSocketUpgrade opening(Site site) {
        return site.websocket() == null ? null
                : new WebSocketUpgrade(site.websocket(), site.endpoint().resource(), settings.handshakeTimeout());
    }

    /** TLS over the channel for a tls:// or wss:// site (its handshake runs later, on the connection's thread); else null. */
    private TlsChannel tlsChannel(SocketChannel channel, Site site) {
        return site.tls() ? new TlsChannel(channel, settings.tls().engine(tls.current(), site.endpoint()), null,
                settings.handshakeTimeout()) : null;
    }

    /** True, having counted and reported it, when the access policy refuses {@code peer}. */
    private boolean refuses(SocketAddress peer) {
        Optional<String> why = settings.access().refusal(peer);
        if (why.isEmpty()) {
            return false;
        }
        refused.incrementAndGet();
        settings.observer().refused(peer, why.get());
        return true;
    }

    /**
     * Takes a connection permit and a slot of {@code peer}'s address; null when both were
     * taken, else (having taken neither) the limit that was reached.
     */
    private CloseReason takeSlot(SocketAddress peer) {
        CloseReason limit = takePermit();
        if (limit == null) {
            limit = takeSource(peer);
            if (limit != null) {
                permits.release();
            }
        }
        return limit;
    }

    /** Takes a connection permit; null when taken, else (having taken none) the limit reached. */
    private CloseReason takePermit() {
        MemoryBudget budget = settings.connection().readBudget();
        if (budget.nearlyExhausted(ROOM_FOR_ONE)) {
            return CloseReason.of(CloseReason.Code.LIMIT, "server busy: its connections' read buffers hold "
                    + budget.used() + " bytes of its memory budget of " + budget.max() + "; try again later");
        }
        return permits.tryAcquire() ? null : busy();
    }

    /** Takes a slot of {@code peer}'s address; null when taken (or not counted), else the limit reached. */
    private CloseReason takeSource(SocketAddress peer) {
        InetAddress source = limitedSource(peer);
        if (source != null) {
            int open = perSource.merge(source, 1, Integer::sum);
            if (open > settings.maxPerSource()) {
                releaseSource(source);
                return CloseReason.perSourceLimit(source.getHostAddress(), settings.maxPerSource());
            }
        }
        return null;
    }

    /** Gives back what {@link #takeSlot} took for {@code peer}. */
    private void releaseSlot(SocketAddress peer) {
        releaseSource(peer);
        permits.release();
    }

    /** The address whose connections are counted, or null when there is none (Unix) or no need. */
    private InetAddress limitedSource(SocketAddress peer) {
        // A limit no larger than the total cannot be reached before it: skip the map.
        return settings.maxPerSource() < settings.maxConnections() && peer instanceof InetSocketAddress inet
                ? inet.getAddress() : null;
    }

    /** Gives back what {@link #takeSource} took for {@code peer}. */
    private void releaseSource(SocketAddress peer) {
        InetAddress source = limitedSource(peer);
        if (source != null) {
            releaseSource(source);
        }
    }

    private void releaseSource(InetAddress source) {
        perSource.computeIfPresent(source, (address, open) -> open == 1 ? null : open - 1);
    }

    /** Opens a UDP session for a peer's first datagram, or refuses it (null) at the limit. */
    private DatagramConnection openSession(SocketAddress peer, LongFunction<DatagramConnection> create) {
        if (closing || refuses(peer)) {
            return null;
        }
        CloseReason limit = takeSlot(peer);
        if (limit != null) {
            // No answer goes back: the peer's address is unverified, and a reply could be aimed at someone else.
            rejected.incrementAndGet();
            settings.observer().rejected(peer, limit);
            return null;
        }
        DatagramConnection session;
        try {
            session = create.apply(ids.incrementAndGet());
        } catch (RuntimeException e) {
            releaseSlot(peer);
            throw e;
        }
        admit(session);
        return session;
    }

    private void admit(Drainable connection) {
        connections.put(connection.id(), connection);
        Thread handler = Thread.ofVirtual().name("sockit-connection-" + connection.id()).unstarted(() -> serve(connection));
        handlers.put(connection.id(), handler);
        handler.start();
    }

    /**
     * Turns a peer away at a connection limit. A TCP or Unix peer is told why, on a virtual
     * thread (saying goodbye may wait on a slow peer), but only {@link #REFUSALS_IN_FLIGHT} at
     * once: under a flood the rest are closed unanswered, so refusals cost bounded descriptors
     * and threads. A TLS peer is closed before its handshake: telling it would cost a full
     * handshake per refusal, which is what a flood against a full server would buy.
     */
    private void reject(SocketChannel channel, SocketAddress remote, CloseReason reason, Site site) {
        rejected.incrementAndGet();
        settings.observer().rejected(remote, reason);
        if (site.tls() || !refusals.tryAcquire()) {
            closeQuietly(channel);
            return;
        }
        try {
            // A WebSocket peer has sent an HTTP request, not a framing's greeting: it is answered 503.
            SocketConnection connection = new SocketConnection(0, channel, site.websocket() == null
                    ? site.connection() : site.connection().withFraming(WebSocketUpgrade.refusals()));
            Thread.ofVirtual().name("sockit-reject").start(() -> {
                try {
                    connection.refuse(reason);
                } finally {
                    refusals.release();
                }
            });
        } catch (IOException | RuntimeException e) {
            refusals.release();
            closeQuietly(channel);
        }
    }

    private CloseReason busy() {
        return CloseReason.of(CloseReason.Code.LIMIT, "server busy: " + settings.maxConnections()
                + " connections open, the most it takes; try again later");
    }

    private void serve(Drainable connection) {
        CloseReason reason = null;
        try {
            connection.start();
            settings.observer().connected(connection);
            settings.handler().handle(connection);
        } catch (FramingException e) {
            reason = CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, e.getMessage()).withCloseCode(e.closeCode());
        } catch (TlsHandshakeException e) {
            reason = CloseReason.of(e.timedOut() ? CloseReason.Code.TIMEOUT : CloseReason.Code.PROTOCOL_ERROR, e.getMessage());
            settings.observer().handshakeFailed(connection, reason);
        } catch (ClosedConnectionException e) {
            reason = e.reason();
        } catch (IOException e) {
            reason = CloseReason.of(CloseReason.Code.BROKEN, Errors.describe(e));
        } catch (Throwable t) {
            if (t instanceof InterruptedException && closing) {
                // close() cut off a handler that outlived the drain timeout: the shutdown, not a bug.
                reason = CloseReason.of(CloseReason.Code.SHUTDOWN, "server stopping");
            } else {
                reason = CloseReason.of(CloseReason.Code.HANDLER_FAILED, "handler failed: " + t);
                settings.observer().handlerFailed(connection, t);
            }
        } finally {
            if (reason == null) {
                reason = connection.drainReason() != null ? connection.drainReason()
                        : connection.endOfStream() ? CloseReason.peerClosed() : CloseReason.closed();
            }
            connection.close(reason);
            // Release the permit (and the source's slot) here, or the slot is lost and the server fills up for good;
            // and before the connection leaves connections(), so that whoever sees it gone
            // and connects at once is admitted, not told the server is busy.
            releaseSlot(connection.remote());
            synchronized (closedTotals) {
                // Its counters join the totals as it leaves connections(), so stats() sees it once.
                ConnectionStats stats = connection.stats();
                closedTotals[0] += stats.messagesIn();
                closedTotals[1] += stats.messagesOut();
                closedTotals[2] += stats.bytesIn();
                closedTotals[3] += stats.bytesOut();
                connections.remove(connection.id());
            }
            handlers.remove(connection.id());
            settings.observer().closed(connection, connection.closeReason());
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** Stops gracefully within the drain timeout given to the builder; see {@link #close(Duration)}. */
    @Override
    public void close() {
        close(settings.drainTimeout());
    }

    /**
     * Stops: no new connections; each handler sees end of stream after the input it already
     * has, so its replies go out, and its connection closes when it returns. Returns as soon as
     * every connection has closed, which takes the work left, not the timeout. Connections still
     * open after {@code drainTimeout} are closed and their handlers interrupted; close() then
     * waits at most {@link #CUT_OFF} more for them to end, and returns even if a handler ignores
     * the interrupt (its thread may outlive the server; its socket is closed).
     *
     * <p>Calling it again waits for the first. Called from one of this server's own handlers,
     * it starts the stop and returns at once: waiting there would wait on itself. The calling
     * handler's connection is drained like the others.
     */
    public void close(Duration drainTimeout) {
        synchronized (this) {
            if (closing) {
                if (!handlers.containsValue(Thread.currentThread())) {
                    awaitClosed();
                }
                return;
            }
            closing = true;
        }
        if (handlers.containsValue(Thread.currentThread())) {
            Thread.ofVirtual().name("sockit-stop").start(() -> stop(drainTimeout));
            return;
        }
        stop(drainTimeout);
    }

    /** How long close() waits, after the drain timeout, for the connections it then cut off to end. */
    public static final Duration CUT_OFF = Duration.ofSeconds(1);

    private void stop(Duration drainTimeout) {
        try {
            listeners.forEach(Listener::close);
            // Proxied connections still reading their header: closing wakes their readers, which give up.
            awaitingHeader.forEach(Server::closeQuietly);
            CloseReason stopping = CloseReason.of(CloseReason.Code.SHUTDOWN, "server stopping");
            connections.values().forEach(c -> c.drain(stopping));
            if (!awaitDrained(drainTimeout)) {
                // Each close on a thread of its own: one may wait up to its farewell's lock wait
                // and close deadline for a peer that does not read, and waiting for them one
                // after another would make close() overrun its drain timeout by their sum.
                connections.values().forEach(c -> Thread.ofVirtual().name("sockit-stop-" + c.id())
                        .start(() -> c.close(stopping)));
                // Closing wakes a handler blocked on its socket; one blocked on anything else
                // (a lock, a queue, a sleep) needs the interrupt.
                handlers.values().forEach(Thread::interrupt);
                awaitDrained(CUT_OFF);
            }
        } finally {
            // Only now: a UDP server's sessions replied from the listening socket until they closed.
            listeners.forEach(Listener::release);
            cluster.close();
            if (tls != null) {
                tls.close();
            }
            flight.close();
            closed.countDown();
        }
    }

    /** True once {@link #close} has begun. */
    public boolean isClosing() {
        return closing;
    }

    /** Waits until the server has been closed, by any thread. */
    public void awaitClosed() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drained) {
            while (!connections.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drained, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Never used: nothing to report.
        }
    }

    @Override
    public String toString() {
        return "server on " + endpoints().stream().map(Endpoint::toString).collect(java.util.stream.Collectors.joining(", "))
                + " (" + connections.size() + " connections)";
    }

    /** A server's settings, gathered by the {@link Builder}. */
    private record Settings(List<Endpoint> endpoints, ConnectionSettings connection, Handler handler, int maxConnections,
            int backlog, Duration drainTimeout, Set<PosixFilePermission> socketMode, int maxDatagram,
            Duration sessionTimeout, AccessPolicy access, int maxPerSource, Tls tls, Duration handshakeTimeout,
            ProxyProtocol proxy, boolean reusePort, WebSocket websocket) {
        Observer observer() {
            return connection.observer();
        }
    }

    /** Describes a server; {@link #start()} binds it. Every setting has a safe default. */
    public static final class Builder {
        // Empty for the socket systemd passed.
        private final List<Endpoint> endpoints;
        private Framing framing = Lines.defaults();
        private Handler handler = Handlers.ack(Handlers.ACK_REPLY);
        private int maxConnections = 10_000;
        private int backlog = 4096;
        private Duration drainTimeout = Duration.ofSeconds(5);
        private Observer observer = Observer.NONE;
        private Heartbeat heartbeat = Heartbeat.DEFAULT;
        private OutboundLimit outbound = OutboundLimit.SERVER_DEFAULT;
        private Set<PosixFilePermission> socketMode = Unix.DEFAULT_MODE;
        private int maxDatagram = Udp.MAX_IPV4_PAYLOAD;
        private Duration sessionTimeout = Duration.ofSeconds(60);
        private AccessPolicy access = AccessPolicy.OPEN;
        private int maxPerSource = 1000;
        private Duration writeTimeout = Duration.ofSeconds(30);
        private Tls tls;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private ProxyProtocol proxyProtocol;
        private boolean reusePort;
        private WebSocket websocket = WebSocket.defaults();
        private Metrics metrics;
        private boolean handlerTiming;
        private Clock clock = Clock.SYSTEM;
        private long maxBufferMemory = Runtime.getRuntime().maxMemory() / 2;
        private Broker broker;

        private Builder(List<Endpoint> endpoints) {
            this.endpoints = endpoints;
        }

        private boolean all(java.util.function.Predicate<Endpoint.Kind> kind) {
            return !endpoints.isEmpty() && endpoints.stream().allMatch(e -> kind.test(e.kind()));
        }

        private boolean any(java.util.function.Predicate<Endpoint.Kind> kind) {
            return endpoints.stream().anyMatch(e -> kind.test(e.kind()));
        }

        /**
         * How bytes become messages. Default: lines of at most 64 KiB for TCP and Unix sockets;
         * for UDP, each datagram is one message as it is, and only {@code raw}, which means
         * the same, may be given.
         *
         * @throws IllegalArgumentException for a framing other than raw on a UDP endpoint,
         *     saying that it does not apply
         */
        public Builder framing(Framing framing) {
            Objects.requireNonNull(framing, "framing");
            // Refused only when no endpoint takes it (UDP, unixgram): beside a stream endpoint it applies to that.
            IllegalArgumentException refused = null;
            boolean taken = endpoints.isEmpty(); // a passed socket is a stream socket
            for (Endpoint endpoint : endpoints) {
                try {
                    Udp.checkFraming(endpoint, framing);
                    taken = true;
                } catch (IllegalArgumentException e) {
                    refused = refused == null ? e : refused;
                }
            }
            if (!taken) {
                throw refused;
            }
            this.framing = framing;
            return this;
        }

        /**
         * TCP: let several servers listen on the same address and port ({@code SO_REUSEPORT}),
         * in this process or others, each started with this; the kernel spreads new connections
         * over them, by a hash of each connection's addresses. Default: off (a second server on
         * the port fails with "address already in use").
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /** The application, run once per connection. Default: ack with the walk-through's reply. */
        public Builder handler(Handler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * The most connections open at once; a peer beyond it is told the server is busy and
         * closed. For UDP this bounds the peers with a session, and a peer beyond it gets no
         * answer at all (its source address is unverified). Default: 10,000.
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, not " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * The most connections open at once from one source address (IPv4 or IPv6; an
         * IPv4-mapped address counts as its IPv4 address), so that one host cannot take every
         * slot of {@link #maxConnections}. One more is told, as at that limit, and closed:
         * {@code error: too many connections from ADDRESS: ...}. For UDP this bounds sessions
         * per address, and one beyond it gets no answer. Behind a proxy or NAT every client
         * has the proxy's address: raise it there. Unix sockets are not limited. Default: 1000.
         */
        public Builder maxPerSource(int maxPerSource) {
            if (maxPerSource < 1) {
                throw new IllegalArgumentException("maxPerSource must be at least 1, not " + maxPerSource);
            }
            this.maxPerSource = maxPerSource;
            return this;
        }

        /**
         * Who may connect, by source address; see {@link AccessPolicy}. A refused peer is closed
         * before a byte is sent or a handler runs, reported to {@link Observer#refused} and
         * counted in {@link ServerStats#refused()}. Replaces what {@link #allow} and
         * {@link #deny} gave. Default: {@link AccessPolicy#OPEN}, everyone.
         */
        public Builder access(AccessPolicy access) {
            this.access = Objects.requireNonNull(access, "access");
            return this;
        }

        /**
         * Allows peers in {@code ranges} (addresses or CIDR ranges, IPv4 or IPv6, e.g.
         * {@code "10.0.0.0/8", "::1"}); once any range is allowed, only peers in one get in.
         * Adds to the ranges already allowed. Default: none, everyone may connect.
         *
         * @throws IllegalArgumentException naming a range that is not one, and why
         */
        public Builder allow(String... ranges) {
            this.access = access.allow(ranges);
            return this;
        }

        /**
         * Denies peers in {@code ranges}, even those an allowed range holds too. Adds to the
         * ranges already denied. Default: none.
         *
         * @throws IllegalArgumentException naming a range that is not one, and why
         */
        public Builder deny(String... ranges) {
            this.access = access.deny(ranges);
            return this;
        }

        /**
         * How long a write may wait on a peer that takes none of its bytes — one that stopped
         * reading, or vanished without a reset — before the connection is closed with reason
         * {@link CloseReason.Code#TIMEOUT} ("write timeout"). This bounds both the handler's
         * own replies and pushes; a peer reading slowly but steadily is not cut off, since any
         * progress restarts the clock. {@link Duration#ZERO} for no limit. Default: 30 s.
         */
        public Builder writeTimeout(Duration writeTimeout) {
            if (writeTimeout.isNegative()) {
                throw new IllegalArgumentException("writeTimeout must not be negative, not " + writeTimeout);
            }
            this.writeTimeout = writeTimeout;
            return this;
        }

        /**
         * How many connections the kernel may hold waiting for accept, so that a burst of
         * clients is not refused. Default: 4096 (the kernel caps it at net.core.somaxconn).
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, not " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** How long {@link Server#close()} lets handlers finish before closing their connections. Default: 5 s. */
        public Builder drainTimeout(Duration drainTimeout) {
            if (drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must not be negative, not " + drainTimeout);
            }
            this.drainTimeout = drainTimeout;
            return this;
        }

        /**
         * How connections stay alive and how dead peers are found: pings (framings that can
         * ping), idle timeout, TCP keepalive. Default: {@link Heartbeat#DEFAULT}, TCP keepalive
         * only.
         */
        public Builder heartbeat(Heartbeat heartbeat) {
            this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
            return this;
        }

        /**
         * How much may wait to be pushed to one peer, and what a push beyond it does. Default:
         * {@link OutboundLimit#SERVER_DEFAULT}, 1 MiB or 10,000 messages, then disconnect.
         */
        public Builder outbound(OutboundLimit outbound) {
            this.outbound = Objects.requireNonNull(outbound, "outbound");
            return this;
        }

        /** Who is told of connections coming, talking and going. Default: nobody. */
        public Builder observer(Observer observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Who may connect to a Unix socket file: the permissions the server gives it
         * (connecting needs write permission). Default: {@code 0600}, the owner alone.
         * Ignored for other endpoints.
         *
         * @throws IllegalArgumentException when no one could connect (no write permission at all)
         */
        public Builder socketMode(Set<PosixFilePermission> socketMode) {
            // Checked the way a written mode is, so that both refuse the same mistakes.
            this.socketMode = Unix.parseMode(PosixFilePermissions.toString(Objects.requireNonNull(socketMode, "socketMode")));
            return this;
        }

        /**
         * {@link #socketMode(Set)} written as people write it: octal ({@code "600"},
         * {@code "0660"}) or as {@code ls -l} shows it ({@code "rw-rw----"}). Default: {@code 600}.
         *
         * @throws IllegalArgumentException naming the text when it is not a mode, or lets no one connect
         */
        public Builder socketMode(String socketMode) {
            this.socketMode = Unix.parseMode(socketMode);
            return this;
        }

        /**
         * The most bytes one UDP datagram may carry, in either direction; a longer one is
         * dropped and its sender told with one datagram {@code error: ...}. Default: 65,507,
         * the most a datagram over IPv4 carries. Range: 1 to 65,527 (the most over IPv6).
         * Ignored for other endpoints.
         */
        public Builder maxDatagram(int maxDatagram) {
            if (maxDatagram < 1 || maxDatagram > Udp.MAX_PAYLOAD) {
                throw new IllegalArgumentException("maxDatagram must be from 1 to " + Udp.MAX_PAYLOAD
                        + " bytes (the largest UDP payload), not " + maxDatagram);
            }
            this.maxDatagram = maxDatagram;
            return this;
        }

        /**
         * How long a UDP peer stays connected after its last datagram: its session then ends
         * (its handler's {@code receive()} returns null, and chat says it left). Default: 60 s.
         * Ignored for other endpoints.
         */
        public Builder sessionTimeout(Duration sessionTimeout) {
            if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
                throw new IllegalArgumentException("sessionTimeout must be positive, not " + sessionTimeout);
            }
            this.sessionTimeout = sessionTimeout;
            return this;
        }

        /**
         * How a {@code tls://} endpoint encrypts: its certificate and key, and optionally the
         * CA its clients' certificates must be signed by. Required for {@code tls://}, refused
         * for other endpoints. See {@link Tls#server} and {@link Tls#keystore}.
         *
         * @throws IllegalArgumentException for a client's settings or a non-TLS endpoint
         */
        public Builder tls(Tls tls) {
            Objects.requireNonNull(tls, "tls");
            if (!tls.isServer()) {
                throw new IllegalArgumentException("a server needs Tls.server(certPem, keyPem) or Tls.keystore(file,"
                        + " password), not Tls.client()");
            }
            if (!endpoints.isEmpty() && !any(Endpoint.Kind::isTls)) { // none: a passed socket, TLS on top
                Endpoint endpoint = endpoints.getFirst();
                throw new IllegalArgumentException("TLS settings apply to tls:// and wss:// endpoints, and " + endpoint
                        + " is neither; listen on tls://" + endpoint.authority()
                        + (endpoint.kind().isWebSocket() ? " or wss://" + endpoint.authority() + endpoint.resource() : ""));
            }
            this.tls = tls;
            return this;
        }

        /**
         * How long a TLS client may take to complete its handshake, and a WebSocket client to
         * send its whole HTTP upgrade request, counted from accept; a peer that connects and
         * sends nothing (or a byte at a time) is closed after it. Default: 10 s. Ignored for
         * other endpoints.
         */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive, not " + handshakeTimeout);
            }
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        /**
         * How a {@code ws://} or {@code wss://} endpoint speaks WebSocket: the largest message,
         * the origins and subprotocols allowed, the built-in page, permessage-deflate. The
         * framing is WebSocket's own there; {@link #framing} does not apply. Default:
         * {@link WebSocket#defaults()}. Ignored for other endpoints.
         */
        public Builder websocket(WebSocket websocket) {
            this.websocket = Objects.requireNonNull(websocket, "websocket");
            return this;
        }

        /**
         * The bytes of read buffer all connections may hold together. A connection whose buffer
         * would pass it (a peer sending a long line or frame while many others do) is closed
         * with {@code error: server memory budget reached: ...}, and while less than 8 KiB is
         * left new peers are refused as busy; everyone else goes on. Without it each connection
         * may hold twice its framing's limit: 2 MiB with frames, 20 GiB over 10,000 peers.
         * Default: half the JVM's maximum heap ({@code -Xmx}).
         */
        public Builder maxBufferMemory(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBufferMemory must be at least 1 byte, not " + bytes);
            }
            this.maxBufferMemory = bytes;
            return this;
        }

        /**
         * Joins this server to a cluster: {@link #broadcast} and {@link Server#cluster()}'s commands
         * reach the connections of every node through {@code broker}; a {@link Group} (or
         * {@link Handlers#chat(Broker)}) made with the same broker spans the nodes too. The
         * caller owns the broker and closes it after the server. Default: a node alone
         * ({@link Broker#standalone()}), nothing crosses.
         */
        public Builder broker(Broker broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            return this;
        }

        /**
         * Reads a PROXY protocol header (HAProxy's; versions 1, 2 or either) at the start of
         * every connection from the proxies {@code proxyProtocol} trusts, so that behind a load
         * balancer the server sees each real client: {@link Connection#remote()}, the log, the
         * access policy and {@link #maxPerSource} use the client the header names, and
         * {@link Connection#proxyHeader()} gives its TLVs. Connections from elsewhere are
         * served as they are, and a header from them is not read (it would be data).
         *
         * <p>The header is read before the TLS handshake, on the connection's thread, within
         * {@link ProxyProtocol#timeout()} (default 5 s) and at most
         * {@link ProxyProtocol#MAX_HEADER_BYTES}; a bad, late or missing one closes the
         * connection unserved, reported through {@link Observer#proxyHeaderRefused}. A LOCAL
         * header (the proxy's health check) is served with the socket's own addresses.
         * TCP, TLS and Unix endpoints; on a Unix socket every peer must send a header.
         * Default: none, no header is read.
         */
        public Builder proxyProtocol(ProxyProtocol proxyProtocol) {
            Objects.requireNonNull(proxyProtocol, "proxyProtocol");
            if (any(k -> k == Endpoint.Kind.UDP)) {
                throw new IllegalArgumentException("the PROXY protocol applies to stream endpoints (tcp://, tls://, unix:),"
                        + " and " + endpoints.stream().filter(e -> e.kind() == Endpoint.Kind.UDP).findFirst().orElseThrow()
                        + " is UDP");
            }
            Endpoint packets = endpoints.stream().filter(e -> e.kind() == Endpoint.Kind.UNIX_SEQPACKET
                    || e.kind() == Endpoint.Kind.UNIXGRAM).findFirst().orElse(null);
            if (packets != null) {
                throw new IllegalArgumentException("the PROXY protocol applies to stream endpoints (tcp://, tls://, unix:),"
                        + " and " + packets + " carries messages, not a stream");
            }
            if (!all(k -> k == Endpoint.Kind.UNIX) && proxyProtocol.trusted().isEmpty()) {
                throw new IllegalArgumentException("the PROXY protocol needs the addresses of the proxies to trust,"
                        + " e.g. ProxyProtocol.accept(V2).from(\"10.0.0.0/8\") (sockit server: --proxy-from CIDR)");
            }
            this.proxyProtocol = proxyProtocol;
            return this;
        }

        /** The clock the connections' watchdogs read: tests advance one by hand. Default: the system's. */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Counts this server's events and traffic into {@code metrics} under the {@code sockit_}
         * names (connections open, accepted, refused by cause, closed by reason; messages and
         * bytes; pushes dropped; slow readers; ...; docs/observability.md lists them), for
         * {@link dev.sockit.metrics.PrometheusEndpoint} or any other reader. Counting costs an
         * uncontended addition per event; traffic is read from {@link Server#stats()} when scraped.
         * One registry holds one server's metrics. Default: none.
         *
         * @throws IllegalArgumentException when {@code metrics} already holds a server's metrics (at start)
         */
        public Builder metrics(Metrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Whether to measure handler time per message into {@link #metrics}, as the histogram
         * {@code sockit_handler_seconds}: from {@link Connection#receive()} handing a message
         * over to the handler's next call of it, its replies included. Costs two clock reads
         * and two uncontended additions per message, so it is off unless asked for.
         * Default: false.
         *
         * @throws IllegalStateException at start when no {@link #metrics} registry was given
         */
        public Builder handlerTiming(boolean handlerTiming) {
            this.handlerTiming = handlerTiming;
            return this;
        }

        /**
         * Binds the endpoint and starts accepting.
         *
         * @throws IOException saying why the endpoint cannot be bound, e.g. address in use
         * @throws IllegalArgumentException when settings contradict each other, such as a
         *     heartbeat that pings over a framing that cannot
         */
        public Server start() throws IOException {
            for (Endpoint endpoint : endpoints) {
                if (endpoint.kind().isTls() && tls == null) {
                    throw new IllegalArgumentException(endpoint + " needs a certificate: .tls(Tls.server(certPem, keyPem))"
                            + " (sockit server: --cert FILE --key FILE; sockit cert makes a development one)");
                }
            }
            boolean ws = any(Endpoint.Kind::isWebSocket);
            // WebSocket endpoints frame with WebSocket whatever framing() says; a server of no other kind
            // is checked (a heartbeat's pings) against WebSocket's.
            Framing framing = all(Endpoint.Kind::isWebSocket) ? WebSocketFrames.server(websocket.maxMessage()) : this.framing;
            if (handlerTiming && metrics == null) {
                throw new IllegalStateException("handlerTiming needs a registry to count into: .metrics(new Metrics())");
            }
            ServerMetrics counting = metrics == null ? null : new ServerMetrics(metrics);
            if (counting != null && broker != null && broker.spansNodes()) {
                ServerMetrics.countCluster(metrics, broker);
            }
            Handler handler = this.handler;
            if (handlerTiming) {
                Histogram handling = metrics.histogram("sockit_handler_seconds",
                        "Handler time per message: from receive() handing it over to the next receive().",
                        Histogram.LATENCY_BOUNDS);
                Handler untimed = handler;
                handler = c -> untimed.handle(new TimedConnection(c, handling));
            }
            FlightRecorderObserver flight = new FlightRecorderObserver();
            ConnectionSettings connection = new ConnectionSettings(framing, heartbeat, outbound,
                    Observer.all(counting == null ? Observer.NONE : counting, flight, observer), writeTimeout, clock,
                    new MemoryBudget(maxBufferMemory));
            Server server = new Server(new Settings(endpoints, connection, handler, maxConnections, backlog, drainTimeout,
                    socketMode, maxDatagram, sessionTimeout, access, maxPerSource, tls, handshakeTimeout, proxyProtocol,
                    reusePort, ws ? websocket : null),
                    flight, broker == null ? Broker.standalone() : broker);
            if (counting != null) {
                counting.watch(server);
            }
            flight.watch(server.endpoint().toString(), server::stats);
            return server;
        }
    }
}
