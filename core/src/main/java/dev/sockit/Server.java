package dev.sockit;

import dev.sockit.cluster.Broker;
import dev.sockit.framing.Framing;
import dev.sockit.framing.Lines;
import dev.sockit.jfr.FlightRecorderObserver;
import dev.sockit.metrics.Histogram;
import dev.sockit.metrics.Metrics;
import dev.sockit.proxy.ProxyProtocol;
import dev.sockit.transport.Clock;
import dev.sockit.transport.WaitingRoom;
import dev.sockit.transport.ConnectionSettings;
import dev.sockit.transport.MemoryBudget;
import dev.sockit.transport.linux.SocketActivation;
import dev.sockit.transport.TlsContext;
import dev.sockit.transport.Udp;
import dev.sockit.transport.Unix;
import dev.sockit.websocket.WebSocket;
import dev.sockit.websocket.WebSocketFrames;
import java.io.IOException;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

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

    private final ServerSettings settings;
    // The parts, each with one job: who is let in, the connections served, what is done with
    // each accepted channel, and the listening sockets.
    private final Admission admission;
    private final LiveConnections live;
    private final Acceptor acceptor;
    private final Listeners listeners;
    private final CountDownLatch closed = new CountDownLatch(1);
    // TLS only: the certificate in use, swapped when its files change; null otherwise.
    private final TlsContext tls;
    // Flight Recorder events; closed with the server, which ends its periodic statistics.
    private final FlightRecorderObserver flight;
    // What crosses to other nodes; a node alone unless the builder was given a broker.
    private final Cluster cluster;
    private volatile boolean closing;

    private Server(ServerSettings settings, FlightRecorderObserver flight, Broker broker) throws IOException {
        this.settings = settings;
        this.flight = flight;
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
        this.admission = new Admission(settings);
        this.live = new LiveConnections(settings, admission, this::isClosing);
        this.acceptor = new Acceptor(settings, tls, admission, live, this::isClosing);
        try {
            this.listeners = Listeners.bind(settings, acceptor);
        } catch (IOException | RuntimeException e) {
            // One endpoint could not be bound: Listeners gave back the others it had bound.
            if (tls != null) {
                tls.close();
            }
            cluster.close();
            throw e;
        }
    }


    /**
     * Starts describing a server that will listen on {@code endpoint}; nothing is bound until
     * {@link Builder#start()}.
     *
     * @param endpoint where to listen; port 0 picks a free port
     * @return a description with every setting at its default
     */
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
     * @param first the first endpoint, whose address {@link #endpoint()} and {@link #port()} report
     * @param more  the others, in order
     * @return a description with every setting at its default
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
     *
     * @return a description with every setting at its default
     */
    public static Builder activated() {
        return new Builder(List.of());
    }

    /** {@return true when systemd (or a launcher that does as it does) passed this process a socket}: see {@link #activated()}. */
    public static boolean socketPassed() {
        return SocketActivation.passed();
    }

    /** {@return the endpoint as bound}: with port 0, the port the system chose. The first, when there are several. */
    public Endpoint endpoint() {
        return listeners.first();
    }

    /** {@return every endpoint as bound, in the order given} */
    public List<Endpoint> endpoints() {
        return listeners.endpoints();
    }

    /** {@return the port the server listens on; -1 for a Unix socket} The first endpoint's, when there are several. */
    public int port() {
        return endpoint().port();
    }

    /** {@return the live connections, a snapshot} */
    public Collection<Connection> connections() {
        return live.snapshot();
    }

    /**
     * {@return the live connection with this id, if there is one}
     *
     * @param id a {@link Connection#id()} of this server
     */
    public Optional<Connection> connection(long id) {
        return Optional.ofNullable(live.get(id));
    }

    /** {@return how many peers were turned away at a connection limit}: the total, or the most from one address. */
    public long rejectedCount() {
        return admission.rejected();
    }

    /**
     * The server's counters now: open, accepted, rejected and refused connections, and messages and
     * bytes in and out over every connection served, closed or open.
     *
     * @return a snapshot of the counters
     */
    public ServerStats stats() {
        return live.stats();
    }

    /**
     * How many datagrams a UDP server dropped: over the size limit, arriving faster than
     * their handler reads, or arriving while the server stops. Always 0 for streams.
     *
     * @return the datagrams dropped since start
     */
    public long droppedDatagrams() {
        return listeners.droppedDatagrams();
    }

    /**
     * Sends {@code message} to every live connection, and through the {@link Builder#broker
     * broker} to every connection of every other node; returns how many of this server's
     * connections it reached. See {@link Cluster#broadcast}.
     *
     * @param message the message for everyone
     * @return how many of this server's connections it reached
     */
    public int broadcast(Message message) {
        return cluster.broadcast(message);
    }

    /**
     * This server's place in its cluster: the connections and counters of every node, and
     * commands for a connection on any node. A node alone without a broker.
     *
     * @return the server's cluster
     */
    public Cluster cluster() {
        return cluster;
    }

    /** Sends {@code message} to every live connection of this server only; how many it reached. */
    int broadcastHere(Message message) {
        return live.broadcast(message);
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
     *
     * @param drainTimeout how long handlers may go on before their connections are closed; zero
     *     closes them at once
     */
    public void close(Duration drainTimeout) {
        synchronized (this) {
            if (closing) {
                if (!live.isHandler(Thread.currentThread())) {
                    awaitClosed();
                }
                return;
            }
            closing = true;
        }
        if (live.isHandler(Thread.currentThread())) {
            Thread.ofVirtual().name("sockit-stop").start(() -> stop(drainTimeout));
            return;
        }
        stop(drainTimeout);
    }

    /** How long close() waits, after the drain timeout, for the connections it then cut off to end. */
    public static final Duration CUT_OFF = Duration.ofSeconds(1);

    /** The longest {@link Builder#busyPoll}: a peer slower than this is cheaper to wait for than to poll for. */
    public static final Duration MAX_BUSY_POLL = Duration.ofMillis(10);

    private void stop(Duration drainTimeout) {
        try {
            listeners.close();
            acceptor.stop();
            live.drain(drainTimeout, CUT_OFF);
        } finally {
            // Only now: a UDP server's sessions replied from the listening socket until they closed.
            listeners.release();
            cluster.close();
            if (tls != null) {
                tls.close();
            }
            flight.close();
            if (settings.connection().room() != null) {
                settings.connection().room().close();
            }
            closed.countDown();
        }
    }

    /** {@return true once {@link #close} has begun} */
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

    @Override
    public String toString() {
        return "server on " + endpoints().stream().map(Endpoint::toString).collect(java.util.stream.Collectors.joining(", "))
                + " (" + live.size() + " connections)";
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
        private Duration busyPoll; // null: automatic (ConnectionSettings.AUTOMATIC)
        private Tls tls;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private ProxyProtocol proxyProtocol;
        private boolean reusePort;
        private WebSocket websocket = WebSocket.defaults();
        private Metrics metrics;
        private boolean handlerTiming;
        private Clock clock = Clock.SYSTEM;
        private Duration waitAfter = Duration.ofSeconds(1);
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
         * How bytes become messages. Default: lines of at most 64 KiB for TCP and Unix stream
         * sockets; over UDP, unixgram and seqpacket each message is kept whole as it is, and
         * only {@code raw}, which means the same, may be given.
         *
         * @param framing the framing; not null
         * @return this builder
         * @throws IllegalArgumentException for a framing other than raw when every endpoint is
         *     UDP, unixgram or seqpacket, saying that it does not apply
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
         *
         * @param reusePort true to share the port
         * @return this builder
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * The application, run once per connection. Default: ack with the walk-through's reply.
         *
         * @param handler the handler, called on each connection's own virtual thread; not null
         * @return this builder
         */
        public Builder handler(Handler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * The most connections open at once; a peer beyond it is told the server is busy and
         * closed. For UDP this bounds the peers with a session, and a peer beyond it gets no
         * answer at all (its source address is unverified). Default: 10,000.
         *
         * @param maxConnections at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code maxConnections} is below 1
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
         *
         * @param maxPerSource at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code maxPerSource} is below 1
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
         *
         * @param access the policy; not null
         * @return this builder
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
         * @param ranges addresses or CIDR ranges, as {@link AddressRange#parse} reads them
         * @return this builder
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
         * @param ranges addresses or CIDR ranges, as {@link AddressRange#parse} reads them
         * @return this builder
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
         *
         * @param writeTimeout zero or more
         * @return this builder
         * @throws IllegalArgumentException when {@code writeTimeout} is negative
         */
        public Builder writeTimeout(Duration writeTimeout) {
            if (writeTimeout.isNegative()) {
                throw new IllegalArgumentException("writeTimeout must not be negative, not " + writeTimeout);
            }
            this.writeTimeout = writeTimeout;
            return this;
        }

        /**
         * How long a TCP connection whose peer answered within this time waits for its next
         * message on the CPU — checking for input between turns of the other ready threads —
         * before it waits for it in the kernel. Waking a parked virtual thread costs more than a
         * loopback round trip, so a connection with a thread of its own (a {@link Handler}'s, or
         * a {@link MessageHandler}'s while it has one) gets a shorter round trip and spends less
         * CPU per message by polling; one the waiting room's thread serves in line
         * ({@link Handlers#echo()}, {@link Handlers#ack(String)}) waits as cheaply as Netty's
         * event loop does, so polling only buys it a shorter round trip, for a CPU kept busy the
         * whole time its peer thinks. Default: automatic, 50 µs for a connection with a thread
         * of its own and none for one served in line; a duration set here applies to both, so
         * {@code Duration.ofNanos(50_000)} polls for every quick peer (a server with a CPU to
         * spare for a few latency-critical peers) and {@link Duration#ZERO} for none.
         *
         * @param busyPoll zero (never) up to 10 ms
         * @return this builder
         * @throws IllegalArgumentException when {@code busyPoll} is negative or longer than 10 ms
         */
        public Builder busyPoll(Duration busyPoll) {
            Objects.requireNonNull(busyPoll, "busyPoll");
            if (busyPoll.isNegative() || busyPoll.compareTo(MAX_BUSY_POLL) > 0) {
                throw new IllegalArgumentException("busyPoll must be between 0 (never) and " + MAX_BUSY_POLL.toMillis()
                        + " ms, not " + busyPoll + "; a peer slower than that is cheaper to wait for in the kernel");
            }
            this.busyPoll = busyPoll;
            return this;
        }

        /**
         * How many connections the kernel may hold waiting for accept, so that a burst of
         * clients is not refused. Default: 4096 (the kernel caps it at net.core.somaxconn).
         *
         * @param backlog at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code backlog} is below 1
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, not " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * How long {@link Server#close()} lets handlers finish before closing their connections. Default: 5 s.
         *
         * @param drainTimeout zero or more
         * @return this builder
         * @throws IllegalArgumentException when {@code drainTimeout} is negative
         */
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
         *
         * @param heartbeat the policy; not null
         * @return this builder
         */
        public Builder heartbeat(Heartbeat heartbeat) {
            this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
            return this;
        }

        /**
         * How much may wait to be pushed to one peer, and what a push beyond it does. Default:
         * {@link OutboundLimit#SERVER_DEFAULT}, 1 MiB or 10,000 messages, then disconnect.
         *
         * @param outbound the limit; not null
         * @return this builder
         */
        public Builder outbound(OutboundLimit outbound) {
            this.outbound = Objects.requireNonNull(outbound, "outbound");
            return this;
        }

        /**
         * Who is told of connections coming, talking and going. Default: nobody.
         *
         * @param observer the observer, replacing any given before; {@link Observer#all} for several
         * @return this builder
         */
        public Builder observer(Observer observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Who may connect to a Unix socket file: the permissions the server gives it
         * (connecting needs write permission). Default: {@code 0600}, the owner alone.
         * Ignored for other endpoints.
         *
         * @param socketMode the file's permissions
         * @return this builder
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
         * @param socketMode the mode as text
         * @return this builder
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
         *
         * @param maxDatagram bytes of payload, 1 to 65,527
         * @return this builder
         * @throws IllegalArgumentException outside that range
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
         *
         * @param sessionTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException when {@code sessionTimeout} is not positive
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
         * @param tls a server's settings
         * @return this builder
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
         *
         * @param handshakeTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException when {@code handshakeTimeout} is not positive
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
         *
         * @param websocket the settings; not null
         * @return this builder
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
         *
         * @param bytes at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code bytes} is below 1
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
         *
         * @param broker the cluster's broker, open; not null
         * @return this builder
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
         *
         * @param proxyProtocol which versions to read, and from which proxies
         * @return this builder
         * @throws IllegalArgumentException for a UDP or Unix packet endpoint, or, beside a TCP or TLS one, a
         *     setting that trusts no proxy
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

        /**
         * Pings, an idle timeout and a push queue belong to stream connections. A server whose
         * endpoints all carry whole messages (udp://, unix+seqpacket:, unixgram:) would ignore
         * them, so it refuses them at start rather than in silence; beside a stream endpoint
         * they apply to it.
         */
        private void refuseWhatPacketsWouldIgnore() {
            if (endpoints.isEmpty() || !all(Endpoint.Kind::carriesMessages)) {
                return;
            }
            Endpoint packets = endpoints.getFirst();
            Endpoint.Kind kind = packets.kind();
            if (heartbeat.watches()) {
                String sessionTimeout = " (sessionTimeout; sockit server: --session-timeout)";
                throw new IllegalArgumentException("pings and an idle timeout apply to stream connections, and " + packets
                        + " carries whole messages with no framing to ping in; " + switch (kind) {
                            case UDP -> "a silent peer's session ends after the session timeout" + sessionTimeout;
                            case UNIXGRAM -> "a Unix peer that dies is closed by the kernel, and a silent one's session"
                                    + " ends after the session timeout" + sessionTimeout;
                            default -> "a Unix peer that dies is closed by the kernel";
                        } + ". Leave the heartbeat out (sockit server: --heartbeat, --idle-timeout)");
            }
            // By value, not by whether outbound() was called: the CLI passes its options' defaults
            // always, so it cannot tell --max-queued-bytes 1048576 from no option, and a limit equal
            // to the default asks for nothing the server does not already do.
            if (!outbound.equals(OutboundLimit.SERVER_DEFAULT)) {
                throw new IllegalArgumentException("sends to " + packets + " are not queued: " + switch (kind) {
                            case UDP -> "each datagram is sent at once";
                            case UNIXGRAM -> "each datagram is sent at once, as over UDP";
                            default -> "each message is written at once, waiting while the peer's socket is full, up to"
                                    + " the write timeout (writeTimeout; sockit server: --write-timeout), after which the"
                                    + " peer is closed as not reading";
                        } + ". Leave the outbound limit out"
                        + " (sockit server: --max-queued-bytes, --max-queued-messages, --on-slow-reader)");
            }
        }

        /**
         * How long the peer of a connection served by a {@link MessageHandler} must be silent
         * before the connection waits without a thread (TCP and WebSocket, not TLS or Unix); for tests, which make it
         * short. Default: 1 s, so that no busy connection ever pays for the hand-over.
         */
        Builder waitAfter(Duration waitAfter) {
            this.waitAfter = Objects.requireNonNull(waitAfter, "waitAfter");
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
         * @param metrics the registry; not null
         * @return this builder
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
         * @param handlerTiming true to measure
         * @return this builder
         * @throws IllegalStateException at start when no {@link #metrics} registry was given
         */
        public Builder handlerTiming(boolean handlerTiming) {
            this.handlerTiming = handlerTiming;
            return this;
        }

        /**
         * Binds the endpoint and starts accepting.
         *
         * @return the running server; close it to stop
         * @throws IOException saying why the endpoint cannot be bound, e.g. address in use
         * @throws IllegalArgumentException when settings contradict each other, such as a
         *     heartbeat that pings over a framing that cannot, or an idle timeout or outbound
         *     limit on a server whose endpoints are all UDP, unixgram or seqpacket, which would
         *     ignore them
         */
        public Server start() throws IOException {
            for (Endpoint endpoint : endpoints) {
                if (endpoint.kind().isTls() && tls == null) {
                    throw new IllegalArgumentException(endpoint + " needs a certificate: .tls(Tls.server(certPem, keyPem))"
                            + " (sockit server: --cert FILE --key FILE; sockit cert makes a development one)");
                }
            }
            refuseWhatPacketsWouldIgnore();
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
                    new MemoryBudget(maxBufferMemory), handler instanceof MessageHandler ? new WaitingRoom(waitAfter) : null)
                    .withBusyPoll(busyPoll);
            Server server = new Server(new ServerSettings(endpoints, connection, handler, maxConnections, backlog, drainTimeout,
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