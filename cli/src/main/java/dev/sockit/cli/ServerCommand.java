package dev.sockit.cli;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
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
            "  sockit server tls://127.0.0.1:8443 --cert sockit-cert.pem --key sockit-key.pem",
        })
final class ServerCommand implements Callable<Integer>, Sockit.Verbose {

    enum Mode { ack, echo, chat, discard }

    @Parameters(index = "0", arity = "0..1", paramLabel = "ENDPOINT", defaultValue = Endpoint.DEFAULT,
            description = "Where to listen: tcp://HOST:PORT, tcp://[::1]:PORT, tls://HOST:PORT (with --cert and --key). Port 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    String endpoint;

    @Option(names = {"-m", "--mode"}, paramLabel = "ack|echo|chat|discard", defaultValue = "ack",
            description = "ack: answer each message with --reply; echo: send it back; chat: relay it to every other client; discard: read and answer nothing. Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(names = "--reply", paramLabel = "TEXT", defaultValue = Handlers.ACK_REPLY,
            description = "The answer in ack mode. Default: '${DEFAULT-VALUE}'")
    String reply;

    @Mixin
    FramingOptions framing;

    @Mixin
    LivenessOptions liveness;

    @Mixin
    ServerTlsOptions tlsOptions;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "10000",
            description = "The most clients connected at once; one more is told 'error: server busy' and closed. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "On stop, how long clients' handlers may take to finish before their connections are closed. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = {"-q", "--quiet"},
            description = "Print only the start line and errors: no line per connection or message (for benchmarks).")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces with errors.")
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
        Endpoint where = Endpoint.parse(endpoint);
        if (maxConnections < 1) {
            throw new IllegalArgumentException("--max-connections must be at least 1, not " + maxConnections);
        }
        PrintStream err = System.err;
        Optional<ServerConsole> serverConsole = ServerConsole.open(console, err);
        Printer out = serverConsole.map(ServerConsole::printer).orElseGet(() -> new Printer(System.out));
        dev.sockit.Tls tls = tlsOptions.tls(where);
        Server.Builder builder = Server.listen(where);
        if (tls != null) {
            builder.tls(tls).handshakeTimeout(tlsOptions.handshakeTimeout);
        }
        Server server = builder
                .framing(framing.framing())
                .heartbeat(liveness.heartbeat())
                .handler(Handlers.forMode(mode.name(), reply))
                .maxConnections(maxConnections)
                .drainTimeout(drainTimeout)
                .observer(new ServerLog(out, err, quiet, verbose, framing.maxLine))
                .start();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("sockit-stop").unstarted(() -> {
            int open = server.connections().size();
            err.println("sockit: stopping: no new connections; letting " + open + " connection" + (open == 1 ? "" : "s")
                    + " finish (up to " + DurationConverter.format(drainTimeout) + ")");
            server.close();
            out.println("Server stopped.");
            out.close();
        }));
        // The hook is in place before the start line, so whoever reads that line may stop us.
        out.println("Server start at: " + server.endpoint().authority());
        if (!quiet) {
            out.println("wait for connection...");
        }
        // /quit exits as Ctrl-C does: the hook above stops the server, and the status is 0.
        serverConsole.ifPresent(c -> c.start(server, out, () -> System.exit(0)));
        server.awaitClosed();
        return 0;
    }
}
