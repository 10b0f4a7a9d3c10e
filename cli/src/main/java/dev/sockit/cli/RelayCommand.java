package dev.sockit.cli;

import dev.sockit.Client;
import dev.sockit.Endpoint;
import dev.sockit.Heartbeat;
import dev.sockit.Relay;
import dev.sockit.Server;
import dev.sockit.Tls;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sockit relay LISTEN TARGET}: every connection accepted on LISTEN joined to a new one to TARGET. */
@Command(name = "relay",
        mixinStandardHelpOptions = true,
        description = "Listens on LISTEN and joins every client to a new connection of its own to TARGET, bytes as "
                + "they come, both ways at once (socat's TCP-LISTEN:...,fork TCP:...). Any kind on either side: tcp, "
                + "tls, unix, udp, ws, wss (a chunk of the stream is one WebSocket message, as websocat does). A tls:// LISTEN terminates TLS (--cert, --key), a tls:// TARGET originates it "
                + "(--target-ca). When one side ends its output, the relay ends its output to the other and keeps "
                + "relaying the other way until that side ends too. A slow side slows the other: nothing is buffered "
                + "without bound (256 KiB queued per direction, besides the socket buffers). Each connection's bytes "
                + "in and out and its duration are printed when it ends.%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sockit relay tcp://127.0.0.1:8080 tcp://10.0.0.5:80       # a port forward",
            "  sockit relay tls://0.0.0.0:8443 tcp://127.0.0.1:8080 --cert c.pem --key k.pem   # TLS termination",
            "  sockit relay tcp://127.0.0.1:6380 tls://redis.example:6380 --target-ca ca.pem   # TLS origination",
            "  sockit relay unix:/tmp/app.sock tcp://127.0.0.1:9000      # a Unix socket in front of TCP",
            "  sockit relay udp://127.0.0.1:5353 udp://9.9.9.9:53        # a UDP forward, a session per peer",
            "  sockit relay ws://127.0.0.1:8080/ssh tcp://127.0.0.1:22    # TCP carried over WebSocket, as websocat",
        })
final class RelayCommand implements Callable<Integer>, Sockit.Verbose {

    @Parameters(index = "0", paramLabel = "LISTEN",
            description = "Where to listen: tcp://HOST:PORT, tls://HOST:PORT (with --cert and --key), udp://HOST:PORT, "
                    + "unix:/PATH. Port 0 picks a free one; the start line says which.")
    String listen;

    @Parameters(index = "1", paramLabel = "TARGET",
            description = "Where to connect for each client: tcp://HOST:PORT, tls://HOST:PORT, udp://HOST:PORT, unix:/PATH.")
    String target;

    @Mixin
    ServerTlsOptions listenTls;

    @Mixin
    TargetTlsOptions targetTls;

    @Mixin
    IpFamily ipFamily = new IpFamily();

    @Option(names = "--target-proxy", paramLabel = "URI",
            description = "Reach TARGET through a proxy: socks5://[USER:PASSWORD@]HOST:PORT or http://[USER:PASSWORD@]HOST:PORT "
                    + "(as sockit client --proxy).")
    String targetProxy;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait for TARGET to accept each connection (and finish its TLS handshake); a client "
                    + "whose target does not answer is closed. Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = {"--idle-timeout"}, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close a relayed connection when its client sends nothing for this long (udp and unixgram LISTEN: "
                    + "the client's session ends then, if sooner than --session-timeout). Default: off.")
    Duration idleTimeout = Duration.ZERO;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "10000",
            description = "The most clients relayed at once; one more is closed at once. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--max-per-source", paramLabel = "N", defaultValue = "1000",
            description = "The most clients relayed at once from one address. Default: ${DEFAULT-VALUE}.")
    int maxPerSource;

    @Option(names = "--allow", paramLabel = "RANGE", split = ",",
            description = "Relay only peers from these addresses or CIDR ranges (e.g. 10.0.0.0/8,::1); repeatable. "
                    + "Default: everyone.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--deny", paramLabel = "RANGE", split = ",",
            description = "Refuse peers from these addresses or CIDR ranges, even allowed ones; repeatable.")
    List<String> deny = new ArrayList<>();

    @Option(names = "--socket-mode", paramLabel = "MODE", defaultValue = "600",
            description = "unix LISTEN: who may connect, as file permissions on the socket. Default: ${DEFAULT-VALUE}.")
    String socketMode;

    @Option(names = "--session-timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "udp LISTEN: a peer silent this long has left, and its connection to TARGET is closed. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration sessionTimeout;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "On stop (Ctrl-C), how long relayed connections may take to finish. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            description = "text: lines for people; json: one JSON object a line. Default: ${DEFAULT-VALUE}.")
    EventLog.Format logFormat;

    @Option(names = {"-x", "--hexdump", "--hex-dump"}, paramLabel = "FILE", arity = "0..1", fallbackValue = "-",
            description = "Write every chunk relayed as a hex dump to FILE (- or nothing: stderr): > from the client to "
                    + "TARGET, < back; time, length, stream offsets and the connection, then rows of 16 bytes, as socat -x "
                    + "and ncat -x show them.")
    String hexdump;

    @Option(names = {"-q", "--quiet"}, description = "Print only the start line and errors: no line per connection.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print each connection's five facts on both sides, and stack traces with errors.")
    boolean verbose;

    @Override
    public boolean verbose() {
        return verbose;
    }

    @Override
    public Integer call() throws Exception {
        Endpoint from = ipFamily.listening(Endpoint.parse(listen));
        Endpoint to = Endpoint.parse(target);
        if (maxConnections < 1 || maxPerSource < 1) {
            throw new IllegalArgumentException("--max-connections and --max-per-source must be at least 1, not "
                    + maxConnections + " and " + maxPerSource);
        }
        PrintStream err = System.err;
        Printer out = new Printer(System.out);
        EventLog log = new EventLog(logFormat, out, err, Clock.systemUTC());
        Client client = Client.connect(to).connectTimeout(connectTimeout);
        if (ipFamily.family() != null && !to.kind().isUnix()) {
            client.family(ipFamily.family()); // as socat's -4 and -6: the target's addresses of that family alone
        }
        if (targetProxy != null) {
            client.proxy(dev.sockit.ClientProxy.parse(targetProxy));
        }
        Tls towards = targetTls.tls(to, err);
        if (towards != null) {
            client.tls(towards);
        }
        HexDump dump = hexdump == null ? null : HexDump.open(hexdump);
        Relay relay = Relay.to(client).observer(new RelayLog(log, quiet, verbose, dump));
        Server.Builder builder = Relay.listen(from, relay);
        Tls terminating = listenTls.tls(from);
        if (terminating != null) {
            builder.tls(terminating).handshakeTimeout(listenTls.handshakeTimeout);
        }
        Heartbeat heartbeat = new Heartbeat(Duration.ZERO, 2, idleTimeout, Heartbeat.Keepalive.DEFAULT);
        Duration sessions = sessionTimeout;
        Endpoint.Kind kind = from.kind();
        if (!idleTimeout.isZero() && kind == Endpoint.Kind.UNIX_SEQPACKET) {
            throw new IllegalArgumentException("--idle-timeout closes a relayed client silent that long, and " + from
                    + " carries whole messages with no framing to watch; a client that dies is closed by the kernel."
                    + " Leave --idle-timeout out of sockit relay (it applies to tcp, tls, unix, ws, udp and unixgram)");
        }
        if (!idleTimeout.isZero() && (kind == Endpoint.Kind.UDP || kind == Endpoint.Kind.UNIXGRAM)) {
            // A server on datagrams refuses an idle timeout it cannot keep; but a client silent
            // this long is what its session timeout ends, and with the session the connection to
            // TARGET: --idle-timeout shortens that.
            heartbeat = heartbeat.idleTimeout(Duration.ZERO);
            sessions = idleTimeout.compareTo(sessionTimeout) < 0 ? idleTimeout : sessionTimeout;
        }
        Server server = builder
                .heartbeat(heartbeat)
                .maxConnections(maxConnections)
                .maxPerSource(maxPerSource)
                .access(ipFamily.restrict(ServerCommand.accessPolicy(allow, deny), from))
                .socketMode(socketMode)
                .sessionTimeout(sessions)
                .drainTimeout(drainTimeout)
                // Refusals, TLS failures: the server's own lines; nothing per message.
                .observer(new ServerLog(log, true, verbose, 0, false, new MessagePreview(MessagePreview.Show.none,
                        System::nanoTime), from))
                .start();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("sockit-stop").unstarted(() -> {
            server.close();
            out.close();
            if (dump != null) {
                dump.close();
            }
        }));
        log.info("listening", "Relay start at: " + server.endpoint().authority() + " to " + to, "endpoint",
                server.endpoint().toString(), "target", to.toString());
        server.awaitClosed();
        return 0;
    }
}
