package dev.sockit.cli;

import dev.sockit.AccessPolicy;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.OutboundLimit;
import dev.sockit.Server;
import dev.sockit.cluster.Broker;
import dev.sockit.metrics.Metrics;
import dev.sockit.metrics.PrometheusEndpoint;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sockit server}: listens, answers every client on a virtual thread of its own, stops on Ctrl-C. */
@Command(name = "server",
        mixinStandardHelpOptions = true,
        description = "Listens on ENDPOINT and serves every client at once, each on a virtual thread of its own: "
                + "prints who connects, each message and who leaves, and answers according to --mode. "
                + "Ctrl-C (or SIGTERM) stops it gracefully: no new clients, each connection's pending input "
                + "is answered, then everything is closed.%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sockit server                        # tcp://127.0.0.1:8001, ack each line",
            "  sockit server tcp://0.0.0.0:9000 -m echo   # all interfaces, echo",
            "  sockit server --mode chat            # relay lines to the other clients",
            "  sockit server tcp://127.0.0.1:0      # any free port; the start line says",
            "  sockit server --reply OK --quiet     # answer OK; print start line, errors",
            "  sockit server udp://127.0.0.1:9000   # each datagram is a message",
            "  sockit server unix:/tmp/sockit.sock --socket-mode 660",
            "  sockit server unix+seqpacket:@app    # Linux: abstract name, each message kept whole",
            "  sockit server tcp://0.0.0.0:9000 --reuse-port   # run several: the kernel spreads clients",
            "  sockit server tcp://0.0.0.0:9000 --allow 10.0.0.0/8,::1 --deny 10.66.0.0/16",
            "  sockit server tls://127.0.0.1:8443 --cert sockit-cert.pem --key sockit-key.pem",
            "  sockit server ws://127.0.0.1:8080/chat --mode chat   # browsers: open http://127.0.0.1:8080/chat",
            "  sockit server tcp://127.0.0.1:8001 ws://127.0.0.1:8080/chat --mode chat   # nc and browsers, one room",
            "  sockit server --metrics tcp://127.0.0.1:9464   # Prometheus scrapes /metrics there",
            "  sockit server tcp://127.0.0.1:9000 --exec 'tr a-z A-Z'   # each client gets its own tr",
            "  sockit server tcp://0.0.0.0:8001 --proxy-protocol v2 --proxy-from 10.0.0.5   # behind HAProxy",
            "  sockit server tcp://0.0.0.0:8001 -m chat --cluster redis://127.0.0.1:6379 --node web-1",
            "                                       # one of several servers sharing their clients",
        })
final class ServerCommand implements Callable<Integer>, Sockit.Verbose {

    enum Mode { ack, echo, chat, discard }

    enum SlowReader { disconnect, drop, block }

    @Parameters(arity = "0..*", paramLabel = "ENDPOINT",
            description = "Where to listen; several endpoints make one server (one room, one console): tcp://HOST:PORT, tcp://[::1]:PORT, tcp://[::]:PORT (IPv4 too), tls://HOST:PORT (with --cert and --key), udp://HOST:PORT, unix:/PATH, ws://HOST:PORT/PATH (WebSocket; a plain GET there serves a page that connects back), wss://HOST:PORT/PATH (with --cert and --key); Linux: unix:@NAME (abstract), unix+seqpacket:/PATH, unixgram:/PATH. Port 0 picks a free one. Default: the socket systemd passed (LISTEN_FDS), else " + Endpoint.DEFAULT + ".")
    List<String> endpoints = new ArrayList<>();

    @Option(names = {"-m", "--mode"}, paramLabel = "ack|echo|chat|discard", defaultValue = "ack",
            description = "ack: answer each message with --reply; echo: send it back; chat: relay it to every other client; discard: read and answer nothing. Default: ${DEFAULT-VALUE}.")
    Mode mode = Mode.ack;

    @Option(names = {"-l", "--listen"}, description = "Accepted for ncat habits (ncat -l): a server always listens.")
    boolean listenFlag;

    @Option(names = {"-k", "--keep-open"}, description = "Accepted for ncat habits (ncat -l -k): a server always serves "
            + "many clients, one after another and at once.")
    boolean keepOpen;

    @Mixin
    IpFamily ipFamily = new IpFamily();

    @Option(names = "-p", paramLabel = "PORT",
            description = "As ncat -l -p PORT: listen on this port, at ENDPOINT's host (default 127.0.0.1).")
    Integer port;

    @Option(names = {"-e", "--exec"}, paramLabel = "'CMD ARGS'",
            description = "Join each client to a new process of CMD (split at spaces, no shell), as ncat -e does: what the "
                    + "client sends is its standard input, its standard output goes to the client, byte for byte. The "
                    + "client ending its output closes the program's input; the program exiting closes the connection; "
                    + "a client that leaves (reset, timed out, kicked) ends the program. RISK: whoever can connect runs "
                    + "CMD as you; keep the endpoint on loopback or a Unix socket, or narrow it with --allow, and never "
                    + "give a shell (/bin/sh) to a network. CMD learns its peer from SOCKIT_REMOTE_ADDR, "
                    + "SOCKIT_REMOTE_PORT, SOCKIT_LOCAL_ADDR, SOCKIT_LOCAL_PORT, SOCKIT_PROTO (and NCAT_*). "
                    + "--max-connections bounds the processes.")
    String exec;

    @Option(names = {"-c", "--sh-exec"}, paramLabel = "'SHELL LINE'",
            description = "As --exec, but the line is run by /bin/sh -c (pipes, quotes, variables), as ncat -c does. "
                    + "The same RISK, and more: never build the line from anything a client sends.")
    String shExec;

    @Option(names = "--reply", paramLabel = "TEXT", defaultValue = Handlers.ACK_REPLY,
            description = "The answer in ack mode. Default: '${DEFAULT-VALUE}'")
    String reply = Handlers.ACK_REPLY;

    @Mixin
    FramingOptions framing = new FramingOptions();

    @Mixin
    LivenessOptions liveness = new LivenessOptions();

    @Mixin
    ServerTlsOptions tlsOptions = new ServerTlsOptions();

    @Mixin
    ClusterOptions clusterOptions = new ClusterOptions();

    @Mixin
    WebSocketOptions websocketOptions = new WebSocketOptions();

    @Mixin
    ProxyOptions proxyOptions = new ProxyOptions();

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "10000",
            description = "The most clients connected at once; one more is told 'error: server busy' and closed. Default: ${DEFAULT-VALUE}.")
    int maxConnections = 10000;

    @Option(names = "--max-per-source", paramLabel = "N", defaultValue = "1000",
            description = "The most clients connected at once from one address; one more is told 'error: too many "
                    + "connections from ADDRESS' and closed. Behind a proxy or NAT, raise it. Default: ${DEFAULT-VALUE}.")
    int maxPerSource = 1000;

    @Option(names = "--allow", paramLabel = "RANGE", split = ",",
            description = "Let in only peers from these addresses or CIDR ranges, IPv4 or IPv6 (e.g. 10.0.0.0/8,"
                    + "192.168.1.7,::1,2001:db8::/32); repeatable. Default: everyone.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--deny", paramLabel = "RANGE", split = ",",
            description = "Refuse peers from these addresses or CIDR ranges, even allowed ones: closed at once, unanswered, "
                    + "and logged. Repeatable. Default: none.")
    List<String> deny = new ArrayList<>();

    @Option(names = "--write-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "Close a peer that takes none of our bytes for this long while a write waits on it (it stopped "
                    + "reading); 0 for never. Default: ${DEFAULT-VALUE}.")
    Duration writeTimeout = Duration.ofSeconds(30);

    @Option(names = "--busy-poll", paramLabel = "DURATION|auto", defaultValue = "auto", converter = BusyPoll.class,
            description = "Wait up to this long for a quick peer's next message on the CPU rather than in the kernel "
                    + "(at most 10ms; e.g. 50us; 0 never): a shorter round trip and more messages a second for one or "
                    + "a few request-and-reply peers, paid for with a CPU kept busy while they think. Default: auto, "
                    + "50us where a peer's handler has a thread of its own (chat, --exec), whose wake-up costs more, "
                    + "and never where the server answers in line (ack, echo).")
    Duration busyPoll; // null: auto

    /** --busy-poll: a duration, or auto (null). */
    static final class BusyPoll implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            return text.strip().equalsIgnoreCase("auto") ? null : DurationConverter.parse(text);
        }
    }

    @Option(names = "--max-queued-bytes", paramLabel = "BYTES", defaultValue = "1048576",
            description = "The most bytes waiting to be pushed to one peer (chat relays, broadcasts) before "
                    + "--on-slow-reader acts. Default: ${DEFAULT-VALUE}.")
    long maxQueuedBytes = 1048576;

    @Option(names = "--max-queued-messages", paramLabel = "N", defaultValue = "10000",
            description = "The most messages waiting to be pushed to one peer before --on-slow-reader acts. "
                    + "Default: ${DEFAULT-VALUE}.")
    int maxQueuedMessages = 10000;

    @Option(names = "--on-slow-reader", paramLabel = "disconnect|drop|block", defaultValue = "disconnect",
            description = "What a push beyond the queue limits does: disconnect the peer ('not reading'), drop the message "
                    + "for it, or block the sender until there is room. Default: ${DEFAULT-VALUE}.")
    SlowReader onSlowReader = SlowReader.disconnect;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "On stop, how long clients' handlers may take to finish before their connections are closed. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout = Duration.ofSeconds(5);

    @Option(names = "--reuse-port",
            description = "tcp, tls: let several servers listen on this port (SO_REUSEPORT), each started with --reuse-port; "
                    + "the kernel spreads new connections over them. Default: off.")
    boolean reusePort;

    @Option(names = "--socket-mode", paramLabel = "MODE", defaultValue = "600",
            description = "unix: who may connect, as file permissions on the socket: 600 (the owner), 660 (and the group), rw-rw----. Default: ${DEFAULT-VALUE}.")
    String socketMode = "600";

    @Option(names = "--max-datagram", paramLabel = "BYTES", defaultValue = "65507",
            description = "udp: the largest datagram taken; a larger one is dropped and its sender told. Default: ${DEFAULT-VALUE}.")
    int maxDatagram = 65507;

    @Option(names = "--session-timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "udp: a peer silent this long has left (chat says so). Default: ${DEFAULT-VALUE}.")
    Duration sessionTimeout = Duration.ofSeconds(60);

    @Option(names = "--metrics", paramLabel = "ENDPOINT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics on this tcp:// endpoint, e.g. "
                    + "tcp://127.0.0.1:9464 (port 0 picks a free one; the line 'Metrics at: URL' says which). "
                    + "docs/observability.md lists them. Default: off.")
    String metricsEndpoint;

    @Option(names = "--metrics-handler-time",
            description = "With --metrics: also a histogram of the handler's time per message (sockit_handler_seconds). "
                    + "Costs two clock reads a message, so it is off by default.")
    boolean metricsHandlerTime;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            description = "text: lines for people; json: one JSON object a line (time, level, event, connection, remote, "
                    + "reason, ..., and message: the text line), on the same streams. Default: ${DEFAULT-VALUE}.")
    EventLog.Format logFormat = EventLog.Format.text;

    // Unset: previews, except for raw bytes and discard servers (MessagePreview.forServer).
    @Option(names = "--show-messages", negatable = true,
            description = "Print every message received, whole (control characters escaped). Default: the first "
                    + MessagePreview.PREVIEW_CHARS + " characters of each, at most " + MessagePreview.PER_SECOND
                    + " a second, the rest counted; none with --framing raw or --mode discard. --no-show-messages: none.")
    Boolean showMessages;

    @Option(names = {"-x", "--hexdump", "--hex-dump"}, paramLabel = "FILE", arity = "0..1", fallbackValue = "-",
            description = "Write every chunk each client sends and receives as a hex dump to FILE (- or nothing: stderr), "
                    + "headed by direction (> sent, < received), time, length, stream offsets and the connection, as "
                    + "socat -x and ncat -x show them. Put it after ENDPOINT, or give FILE.")
    String hexdump;

    @Option(names = {"-q", "--quiet"},
            description = "Print only the start line and errors: no line per connection or message (for benchmarks).")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print each connection's five facts (protocol, local and remote address and port), and stack traces with errors.")
    boolean verbose;

    // The operator's console (ServerConsole). Unset: on only at a terminal, in the foreground.
    @Option(names = "--console", negatable = true,
            description = "Read commands while serving (/list, /send, /all, /kick, /stats, /quit, /help). Default: on at a "
                    + "terminal when in the foreground (not 'sockit server &'); --console reads them from standard input "
                    + "even from a pipe, --no-console never.")
    Boolean console;

    @Override
    public boolean verbose() {
        return verbose;
    }

    @Override
    public Integer call() throws Exception {
        // No endpoint and a socket passed by systemd: serve that one (socket activation).
        boolean activated = endpoints.isEmpty() && Server.socketPassed();
        List<Endpoint> all = new ArrayList<>();
        for (String text : endpoints.isEmpty() ? List.of(ipFamily.defaultEndpoint()) : endpoints) {
            // -p sets the port of the first endpoint, as ncat's sets the one it listens on.
            all.add(ipFamily.listening(all.isEmpty() ? withPort(Endpoint.parse(text), port) : Endpoint.parse(text)));
        }
        // Each option is checked against the endpoint it applies to: TLS against the first tls:// or
        // wss://, WebSocket options against the first ws://, the framing against the others.
        Endpoint where = all.getFirst();
        Endpoint secure = all.stream().filter(e -> e.kind().isTls()).findFirst().orElse(where);
        Endpoint websocket = all.stream().filter(e -> e.kind().isWebSocket()).findFirst().orElse(null);
        Endpoint framed = all.stream().filter(e -> !e.kind().isWebSocket()).findFirst().orElse(null);
        if (activated && ipFamily.family() != null) {
            throw new IllegalArgumentException("-4 and -6 choose the family of a socket sockit binds; the passed socket is"
                    + " systemd's (ListenStream=0.0.0.0:PORT, or [::]:PORT with BindIPv6Only=ipv6-only)");
        }
        if (activated && reusePort) {
            throw new IllegalArgumentException("--reuse-port applies to a socket sockit binds; the passed socket is systemd's"
                    + " (set ReusePort=yes in the .socket unit)");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("--max-connections must be at least 1, not " + maxConnections);
        }
        if (maxPerSource < 1) {
            throw new IllegalArgumentException("--max-per-source must be at least 1, not " + maxPerSource);
        }
        if (maxQueuedBytes < 1 || maxQueuedMessages < 1) {
            throw new IllegalArgumentException("--max-queued-bytes and --max-queued-messages must be at least 1, not "
                    + maxQueuedBytes + " and " + maxQueuedMessages);
        }
        if (writeTimeout.isNegative()) {
            throw new IllegalArgumentException("--write-timeout must not be negative, not " + writeTimeout);
        }
        if (busyPoll != null && busyPoll.compareTo(Server.MAX_BUSY_POLL) > 0) {
            throw new IllegalArgumentException("--busy-poll must be at most " + DurationConverter.format(Server.MAX_BUSY_POLL)
                    + ", not " + DurationConverter.format(busyPoll)
                    + ": a peer slower than that is cheaper to wait for in the kernel; try 50us");
        }
        Endpoint metricsWhere = metricsEndpoint == null ? null : Endpoint.parse(metricsEndpoint);
        if (metricsWhere != null && metricsWhere.kind() != Endpoint.Kind.TCP) {
            throw new IllegalArgumentException("--metrics " + metricsEndpoint + ": metrics are served over HTTP, so on a"
                    + " tcp:// endpoint, e.g. --metrics tcp://127.0.0.1:9464");
        }
        AccessPolicy access = accessPolicy();
        for (Endpoint listening : all) {
            access = ipFamily.restrict(access, listening);
        }
        PrintStream err = System.err;
        Optional<ServerConsole> serverConsole = ServerConsole.open(console, err);
        Printer out = serverConsole.map(ServerConsole::printer).orElseGet(() -> new Printer(System.out));
        EventLog log = new EventLog(logFormat, out, err, Clock.systemUTC());
        // A passed TCP socket serves TLS when certificates are given.
        dev.sockit.Tls tls = tlsOptions.tls(activated && tlsOptions.given() ? Endpoint.tls("0.0.0.0", 0) : secure);
        HexDump dump = hexdump == null ? null : HexDump.open(hexdump);
        Server.Builder builder = activated ? Server.activated()
                : Server.listen(where, all.subList(1, all.size()).toArray(Endpoint[]::new));
        if (tls != null) {
            builder.tls(tls);
        }
        builder.handshakeTimeout(tlsOptions.handshakeTimeout);
        if (websocket != null) {
            builder.websocket(websocketOptions.websocket());
        } else if (websocketOptions.given()) {
            throw new IllegalArgumentException("--allow-origin, --subprotocol, --max-message, --no-page and --no-deflate"
                    + " apply to ws:// and wss:// endpoints; listen on ws://" + where.authority() + "/PATH");
        }
        dev.sockit.proxy.ProxyProtocol proxy = proxyOptions.proxyProtocol(framed != null ? framed : where);
        if (proxy != null) {
            builder.proxyProtocol(proxy);
        }
        Metrics metrics = metricsWhere == null ? null : new Metrics();
        if (metrics != null) {
            builder.metrics(metrics).handlerTiming(metricsHandlerTime);
        } else if (metricsHandlerTime) {
            throw new IllegalArgumentException("--metrics-handler-time adds to --metrics; give both, e.g. --metrics"
                    + " tcp://127.0.0.1:9464 --metrics-handler-time");
        }
        ExecHandler program = program();
        // Over UDP a datagram is the message, over WebSocket a WebSocket message; an activated
        // socket's kind is known only once passed. Beside a ws:// endpoint, the framing applies to the others.
        boolean webSocket = framed == null;
        boolean lined = (activated || framing.appliesTo(framed != null ? framed : where)) && !webSocket;
        dev.sockit.framing.Framing wire = program != null || !lined ? dev.sockit.framing.Raw.bytes() : framing.framing();
        if (lined || (program != null && !webSocket)) {
            builder.framing(wire);
        }
        if (program != null && (activated || !isLoopback(where))) {
            err.println("sockit: WARNING: every client of " + (activated ? "the passed socket" : where) + " runs '"
                    + String.join(" ", program.command()) + "' with this user's rights; limit who may connect with --allow");
        }
        Broker broker = clusterOptions.open().orElse(null);
        if (broker != null) {
            builder.broker(broker);
            broker.watch(new ClusterLog(log, broker));
        }
        if (busyPoll != null) {
            builder.busyPoll(busyPoll);
        }
        Server server;
        try {
            server = builder
                .socketMode(socketMode)
                .reusePort(reusePort)
                .maxDatagram(maxDatagram)
                .sessionTimeout(sessionTimeout)
                .heartbeat(liveness.heartbeat())
                .handler(dumped(program != null ? program : broker == null ? Handlers.forMode(mode.name(), reply)
                        : Handlers.forMode(mode.name(), reply, broker), dump, wire))
                .maxConnections(maxConnections)
                .maxPerSource(maxPerSource)
                .access(access)
                .writeTimeout(writeTimeout)
                .outbound(OutboundLimit.of(maxQueuedBytes, maxQueuedMessages,
                        OutboundLimit.Overflow.valueOf(onSlowReader.name().toUpperCase(Locale.ROOT))))
                .drainTimeout(drainTimeout)
                .observer(new ServerLog(log, quiet, verbose, framing.maxLine, mode == Mode.chat,
                        new MessagePreview(MessagePreview.forServer(showMessages,
                                framing.kind() == FramingOptions.Kind.raw, mode == Mode.discard), System::nanoTime),
                        where))
                .start();
        } catch (java.io.IOException | RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
        PrometheusEndpoint scraped;
        try {
            scraped = metrics == null ? null : PrometheusEndpoint.start(metrics, metricsWhere);
        } catch (java.io.IOException | RuntimeException e) {
            server.close();
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("sockit-stop").unstarted(() -> {
            int open = server.connections().size();
            log.notice("stopping", "sockit: stopping: no new connections; letting " + open + " connection"
                    + (open == 1 ? "" : "s") + " finish (up to " + DurationConverter.format(drainTimeout) + ")",
                    "open", open, "drain_timeout_ms", drainTimeout.toMillis());
            server.close();
            if (scraped != null) {
                scraped.close();
            }
            if (broker != null) {
                broker.close(); // leaves the cluster at once: the others stop listing this node
            }
            log.info("stopped", "Server stopped.");
            out.close();
            if (dump != null) {
                dump.close();
            }
        }));
        // The hook is in place before the start line, so whoever reads that line may stop us.
        for (Endpoint bound : server.endpoints()) {
            log.info("listening", "Server start at: " + bound.authority(), "endpoint", bound.toString());
            if (bound.kind().isWebSocket()) {
                String page = (bound.kind().isTls() ? "https://" : "http://") + bound.authority() + bound.resource();
                log.info("websocket", "WebSocket at: " + bound + (websocketOptions.noPage ? ""
                        : " (its page, for a browser: " + page + ")"), "endpoint", bound.toString(), "page", page);
            }
        }
        if (scraped != null) {
            log.info("metrics", "Metrics at: " + scraped.url(), "url", scraped.url());
        }
        if (broker != null) {
            java.util.List<String> nodes = broker.nodes();
            log.info("cluster", "Cluster: node " + broker.node() + " of " + nodes.size() + " live ("
                    + String.join(", ", nodes) + ") through " + broker, "node", broker.node(), "nodes", nodes.size());
        }
        if (!quiet) {
            log.info("waiting", "wait for connection...");
        }
        // /quit and Ctrl-C at the console exit as a signal does: the hook above stops the server;
        // the status is 0 for /quit, 130 for Ctrl-C, as without a console.
        serverConsole.ifPresent(c -> c.start(server, out, System::exit));
        server.awaitClosed();
        return 0;
    }

    /** The endpoint with the port of -p, if given. */
    static Endpoint withPort(Endpoint endpoint, Integer port) {
        if (port == null) {
            return endpoint;
        }
        if (endpoint.kind() == Endpoint.Kind.UNIX) {
            throw new IllegalArgumentException("-p " + port + " sets a port, and " + endpoint + " has none");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("-p " + port + " is not a port (0 to 65535; 0: any free one)");
        }
        return endpoint.withPort(port);
    }

    /** The program each client is joined to (--exec, --sh-exec), or null for the --mode handlers. */
    private ExecHandler program() {
        if (exec != null && shExec != null) {
            throw new IllegalArgumentException("give either --exec or --sh-exec, not both");
        }
        if (exec == null && shExec == null) {
            return null;
        }
        if (framing.framing != null && framing.kind() != FramingOptions.Kind.raw) {
            throw new IllegalArgumentException((exec != null ? "--exec" : "--sh-exec") + " joins each client to a program"
                    + " byte for byte, so the framing is raw; leave --framing " + framing.kind() + " out");
        }
        return exec != null ? ExecHandler.exec(exec) : ExecHandler.shell(shExec);
    }

    private static boolean isLoopback(Endpoint endpoint) {
        if (endpoint.kind() == Endpoint.Kind.UNIX) {
            return true; // the socket file's mode decides who connects
        }
        try {
            return java.net.InetAddress.getByName(endpoint.host()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The handler, seeing each connection through the hex dump when there is one. */
    static dev.sockit.Handler dumped(dev.sockit.Handler handler, HexDump dump, dev.sockit.framing.Framing framing) {
        if (dump == null) {
            return handler;
        }
        return connection -> handler.handle(new DumpedConnection(connection, framing, dump.stream("connection "
                + connection.id() + " " + dev.sockit.Peers.describe(connection))));
    }

    /** --allow and --deny as one policy; a bad range is named with its flag. */
    private AccessPolicy accessPolicy() {
        return accessPolicy(allow, deny);
    }

    /** --allow and --deny as one policy, for every command that listens. */
    static AccessPolicy accessPolicy(List<String> allow, List<String> deny) {
        AccessPolicy policy = AccessPolicy.OPEN;
        for (String range : allow) {
            try {
                policy = policy.allow(range);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--allow " + e.getMessage(), e);
            }
        }
        for (String range : deny) {
            try {
                policy = policy.deny(range);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--deny " + e.getMessage(), e);
            }
        }
        return policy;
    }
}
