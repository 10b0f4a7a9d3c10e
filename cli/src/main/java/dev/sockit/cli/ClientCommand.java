package dev.sockit.cli;

import dev.sockit.Backoff;
import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Retry;
import dev.sockit.proxy.ProxyProtocol;
import java.io.Console;
import java.io.PrintStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sockit client}: on a terminal, the walk-through's loop with line editing and history;
 * with standard input from a pipe or file, one message per line and only the replies on stdout.
 */
@Command(name = "client",
        mixinStandardHelpOptions = true,
        description = "Connects to ENDPOINT and sends what you type, one message per line, printing every "
                + "reply (and anything the server pushes) above the prompt as it arrives.%n%n"
                + "With standard input not a terminal it sends each input line and prints only the replies on "
                + "stdout; once the input ends it half-closes the connection, prints the remaining replies, "
                + "and exits 0 when the server closes its side (or after --close-timeout).%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sockit client                           # talk to tcp://127.0.0.1:8001",
            "  printf 'hello\\nworld\\n' | sockit client # two replies on stdout, then exit",
            "  sockit client tcp://[::1]:9000 < lines.txt > replies.txt",
            "  sockit client --framing raw tcp://127.0.0.1:7 # bytes as they come, like nc",
            "  sockit client --reconnect               # ride out server restarts",
            "  sockit client udp://127.0.0.1:9000      # a datagram per line, resent if lost",
            "  sockit client unix:/tmp/sockit.sock",
            "  sockit client tls://127.0.0.1:8443 --ca sockit-cert.pem",
            "  sockit client tcp://10.1.2.3:6379 --proxy socks5://127.0.0.1:1080   # through a SOCKS5 proxy",
            "  sockit client tcp://127.0.0.1:22 -z && echo open   # is the port open? (exit 0 or 1)",
            "  sockit client -l -p 9000                # as ncat -l: wait for one peer, then talk",
            "  sockit client --send-proxy v2           # as if through HAProxy (server: --proxy-protocol)",
            "  sockit client ws://127.0.0.1:8080/chat  # WebSocket: a text message per line, as websocat",
            "  echo hi | sockit client ws://127.0.0.1:8080/chat --binary --origin https://example.org",
        })
final class ClientCommand implements Callable<Integer>, Sockit.Verbose {

    // No picocli default: whether ENDPOINT was given decides what -6 may do (null: not given).
    @Parameters(index = "0", arity = "0..1", paramLabel = "ENDPOINT",
            description = "Where to connect: tcp://HOST:PORT, tcp://[::1]:PORT, tls://HOST:PORT, udp://HOST:PORT, unix:/PATH, ws://HOST:PORT/PATH, wss://HOST:PORT/PATH; Linux: unix:@NAME, unix+seqpacket:/PATH, unixgram:/PATH. A host name is tried at each of its addresses. Default: "
                    + Endpoint.DEFAULT + ", or tcp://[::1]:8001 with -6.")
    String endpoint;

    @Mixin
    FramingOptions framing = new FramingOptions();

    @Mixin
    LivenessOptions liveness = new LivenessOptions();

    @Mixin
    DatagramOptions datagrams = new DatagramOptions();

    @Mixin
    WebSocketClientOptions websocket = new WebSocketClientOptions();

    @Mixin
    ClientTlsOptions tlsOptions = new ClientTlsOptions();

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait for the server to accept. Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout = Duration.ofSeconds(10);

    @Option(names = "--close-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Piped input only: after the input ends, how long to wait for the server's last replies and its close. Default: ${DEFAULT-VALUE}.")
    Duration closeTimeout = Duration.ofSeconds(10);

    @Option(names = {"-v", "--verbose"}, description = "Print the connection's five facts (protocol, local and remote address and port), and stack traces with errors.")
    boolean verbose;

    @Option(names = "--send-proxy", paramLabel = "v1|v2",
            description = "Begin the connection with a PROXY protocol header naming this client's own addresses, as "
                    + "HAProxy's send-proxy (v1, text) or send-proxy-v2 (v2, binary) does: to try by hand a server run "
                    + "with --proxy-protocol. Sent before anything else, before TLS too. Default: off.")
    String sendProxy;

    @Option(names = {"-x", "--hexdump", "--hex-dump"}, paramLabel = "FILE", arity = "0..1", fallbackValue = "-",
            description = "Write every chunk sent and received, both ways, as a hex dump to FILE (- or nothing: stderr): "
                    + "direction (> sent, < received), time, length and stream offsets, then rows of 16 bytes with "
                    + "offset, hex and text, as socat -x and ncat -x show them. Put it after ENDPOINT, or give FILE.")
    String hexdump;

    @Mixin
    IpFamily ipFamily = new IpFamily();

    @Option(names = {"-s", "--bind", "--source"}, paramLabel = "ADDR[:PORT]",
            description = "Connect from this local address (and port): 192.168.1.7, 192.168.1.7:5555, [::1]:5555, :5555 "
                    + "(any address, that port). Default: the system chooses.")
    String bind;

    @Option(names = {"-p", "--source-port"}, paramLabel = "PORT",
            description = "As ncat: the port to connect from (the source port), or with -l the port to listen on.")
    Integer port;

    @Option(names = {"-l", "--listen"},
            description = "As ncat -l: listen on ENDPOINT (or -p PORT) instead of connecting, wait for one peer, then talk to "
                    + "it as with a server: what you type (or pipe) goes to it, what it sends is printed. A tls:// ENDPOINT "
                    + "takes --cert and --key as the server's certificate.")
    boolean listen;

    @Option(names = "--send-only",
            description = "Only send standard input; print nothing received, and close as soon as the input ends.")
    boolean sendOnly;

    @Option(names = "--recv-only",
            description = "Only print what is received; never read standard input. Exits when the peer closes.")
    boolean recvOnly;

    @Option(names = "--proxy", paramLabel = "URI",
            description = "Connect through a proxy: socks5://HOST:PORT (SOCKS5; RFC 1928) or http://HOST:PORT (HTTP CONNECT), "
                    + "with USER:PASSWORD@ before HOST when it asks (RFC 1929; Basic). tcp:// and tls:// only; TLS runs "
                    + "end to end through the tunnel; the proxy resolves the host name.")
    String proxy;

    @Option(names = "-z",
            description = "Only test that ENDPOINT accepts a connection: connect, close, exit 0 if it did and 1 if not "
                    + "(tcp, tls, unix; -v says which). Sends nothing.")
    boolean zero;

    @Option(names = "--reconnect",
            description = "When the connection cannot be made or is lost, connect again after 250ms, then twice as long each "
                    + "time up to 10s (±50%% jitter), saying so on stderr. Lines typed while disconnected are not sent; "
                    + "piped lines not yet sent wait for the new connection, lines already sent are never sent twice.")
    boolean reconnect;

    @Option(names = "--reconnect-max", paramLabel = "N", defaultValue = "0",
            description = "With --reconnect: give up after N attempts in a row and exit 1; 0 never gives up. Default: ${DEFAULT-VALUE}.")
    int reconnectMax = 0;

    SystemTerminal terminal; // being set up while connecting, at a terminal

    @Override
    public boolean verbose() {
        return verbose;
    }

    @Override
    public Integer call() throws Exception {
        try {
            // With -6 and no ENDPOINT, the default's loopback is IPv6's: [::1]:8001. An ENDPOINT
            // given is kept as given, even the default's own text, so -6 refuses an IPv4 one.
            Endpoint where = Endpoint.parse(endpoint == null ? ipFamily.defaultEndpoint() : endpoint);
            if (reconnectMax < 0) {
                throw new IllegalArgumentException("--reconnect-max must be 0 (never give up) or more, not " + reconnectMax);
            }
            ipFamily.family(); // -4 with -6 is refused before anything starts
            if (sendOnly && recvOnly) {
                throw new IllegalArgumentException("--send-only and --recv-only together would do nothing; give one");
            }
            if (listen) {
                return new ListenSession(this, where).run();
            }
            // At a dumb terminal the prompt needs JLine's terminal: it is set up while the connection is
            // made (BareCommand begins it even before making this command). Elsewhere it is built
            // once the prompt is drawn (talk), so that it takes no CPU from the connection.
            if (terminal == null && !zero && !sendOnly && !recvOnly && interactive() && !EarlyPrompt.possible()) {
                terminal = SystemTerminal.start();
            }
            return connectAndTalk(where);
        } finally {
            if (terminal != null) {
                terminal.close(); // unless the session took it
            }
        }
    }

    private Integer connectAndTalk(Endpoint where) throws Exception {
        Client client = Client.connect(where)
                .heartbeat(liveness.heartbeat())
                .connectTimeout(connectTimeout);
        if (ipFamily.family() != null) {
            client.family(ipFamily.family());
        }
        if (proxy != null) {
            client.proxy(dev.sockit.ClientProxy.parse(proxy));
        }
        java.net.InetSocketAddress source = SourceAddress.parse(bind, port);
        if (source != null) {
            client.bind(source);
        }
        if (framing.appliesTo(where) && !where.kind().isWebSocket()) {
            client.framing(framing.framing());
        }
        if (sendProxy != null) {
            ProxyProtocol.Version version = ProxyProtocol.Version.parse(sendProxy);
            if (version == ProxyProtocol.Version.ANY) {
                throw new IllegalArgumentException("--send-proxy sends one version: v1 or v2, not " + sendProxy);
            }
            client.sendProxy(version);
        }
        websocket.applyTo(client, where);
        Retry retry = datagrams.retry();
        dev.sockit.Tls tls = tlsOptions.tls(where, System.err);
        if (tls != null) {
            client.tls(tls);
        }
        if (zero) {
            return portCheck(client, where);
        }
        Reconnector reconnector = reconnect ? new Reconnector(client, where, Backoff.exponential(), reconnectMax) : null;
        try (HexDump dump = hexdump == null ? null : HexDump.open(hexdump);
             Connection connection = open(client, reconnector, dump, framing.appliesTo(where) ? framing.framing()
                     : dev.sockit.framing.Raw.bytes())) {
            if (verbose) {
                System.err.println("sockit: connected: " + ServerLog.facts(connection));
            }
            return talk(connection, where, reconnector, retry);
        }
    }

    /** The conversation on a connection made (or accepted, with -l): at a terminal, piped, or datagrams. */
    int talk(Connection connection, Endpoint where, Reconnector reconnector, Retry retry) throws Exception {
        PipedSession.Direction direction = sendOnly ? PipedSession.Direction.SEND_ONLY
                : recvOnly ? PipedSession.Direction.RECEIVE_ONLY : PipedSession.Direction.BOTH;
        if (interactive() && direction == PipedSession.Direction.BOTH) {
            InteractiveSession session = new InteractiveSession(connection, where, framing.kind(), reconnector, retry);
            // The prompt is drawn now, before JLine's terminal is built, and its line handed over to
            // JLine once it is (EarlyPrompt says how keys typed meanwhile are kept).
            EarlyPrompt early = terminal == null ? EarlyPrompt.draw(InteractiveSession.connected(where)) : null;
            org.jline.terminal.Terminal built;
            try {
                built = terminal != null ? terminal.get() : SystemTerminal.build();
            } catch (IOException e) {
                if (early != null) {
                    early.abandon(); // the error goes below the prompt, not after it
                }
                throw e;
            }
            return session.run(built, early);
        }
        if ("udp".equals(connection.protocol())) {
            if (direction != PipedSession.Direction.BOTH) {
                throw new IllegalArgumentException("--send-only and --recv-only apply to streams (tcp, tls, unix);"
                        + " over UDP each line waits for its reply");
            }
            return new DatagramPipe(connection, where, retry, System.err)
                    .run(new FileInputStream(FileDescriptor.in), new PrintStream(new FileOutputStream(FileDescriptor.out), true, UTF_8));
        }
        return new PipedSession(connection, where, framing, closeTimeout, System.err, reconnector, direction)
                .run(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
    }

    /** -z: does ENDPOINT accept a connection? 0 if it does, 1 if not; said on stderr only with -v. */
    private int portCheck(Client client, Endpoint where) {
        if (where.kind() == Endpoint.Kind.UDP) {
            throw new IllegalArgumentException("-z cannot test a UDP port: UDP has no handshake, so an open port and a"
                    + " silent one look the same; send a datagram and wait for the reply instead");
        }
        try (Connection connection = client.open()) {
            if (verbose) {
                System.err.println("sockit: " + where + " accepts connections (" + ServerLog.facts(connection) + ")");
            }
            return 0;
        } catch (java.io.IOException e) {
            if (verbose) {
                System.err.println("sockit: " + e.getMessage());
            }
            return Sockit.FAILED;
        }
    }

    /** The first connection, wrapped in the hex dump when there is one (each new one too, through the reconnector). */
    private static Connection open(Client client, Reconnector reconnector, HexDump dump, dev.sockit.framing.Framing framing)
            throws java.io.IOException, InterruptedException {
        java.util.function.UnaryOperator<Connection> decorate = dump == null ? c -> c
                : c -> new DumpedConnection(c, framing, dump.stream(null));
        if (reconnector != null) {
            return reconnector.decorate(decorate).first(System.err::println);
        }
        return decorate.apply(client.open());
    }

    /** A person at a terminal, on both standard input and standard output. */
    static boolean interactive() {
        Console console = System.console();
        return console != null && console.isTerminal();
    }
}
