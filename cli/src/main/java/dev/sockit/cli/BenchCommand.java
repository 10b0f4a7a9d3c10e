package dev.sockit.cli;

import dev.sockit.Endpoint;
import dev.sockit.cli.bench.BenchSettings;
import dev.sockit.cli.bench.BulkSender;
import dev.sockit.cli.bench.ChurnGenerator;
import dev.sockit.cli.bench.LoadGenerator;
import dev.sockit.cli.bench.Mode;
import dev.sockit.cli.bench.Report;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sockit bench}: a load generator for any server that speaks the {@code lines}
 * framing over TCP or a Unix socket, or answers each UDP datagram with one, sockit's or anyone's. See {@link LoadGenerator} for how it measures.
 * With {@code --mode discard}, a bulk transfer in Gbit/s to a server that reads and answers
 * nothing, as iperf3 measures one; see {@link BulkSender}. With {@code --churn}, connection
 * churn: short connections of one request each, in connections per second; see
 * {@link ChurnGenerator}.
 *
 * <pre>{@code
 * int status = new CommandLine(new BenchCommand()).execute("tcp://127.0.0.1:8001", "--conns", "64");
 * }</pre>
 *
 * <p>Exit status: 0 when every reply verified; 1 with a one-line reason on stderr when it
 * could not connect, replies failed verification or connections were lost; 2 for a usage
 * error.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Loads a line server with many connections and reports throughput, latency and errors.",
            "",
            "Every connection is opened first; then load runs for --warmup (not counted) and --duration (measured). "
                    + "Each connection keeps --depth requests of --size bytes in flight and sends the next as each "
                    + "reply arrives (closed loop), or, with --rate, sends on a fixed schedule and times each reply "
                    + "from when its request was due (open loop, free of coordinated omission). Every reply is "
                    + "verified: in echo mode it must be the request's bytes, in ack mode the --reply line.",
            "",
            "Over a Unix socket (unix:/PATH) it works as over TCP. Over UDP (udp://HOST:PORT) each request is one "
                    + "datagram of --size bytes without a newline and each reply one datagram; in echo mode the first "
                    + "8 bytes carry the request's number. A request unanswered within --loss-timeout counts as lost "
                    + "and its slot is reused; a reply coming after that counts as late. Sent, received, lost and late "
                    + "are reported (in ack mode replies carry no number: each answers the oldest request waiting, "
                    + "so late is approximate). Loss is not an error.",
            "",
            "With --mode discard it measures bulk throughput, as iperf3 does, against a server that reads and "
                    + "answers nothing (sockit server --mode discard --framing raw, or iperf3 -s's kin): each "
                    + "connection writes raw bytes, --size at a time from one direct buffer, as fast as the server "
                    + "takes them, and the summary gives Gbit/s and MB/s of bytes the server's socket took in the "
                    + "measured window. --conns defaults to 1 and --size to 131072 (128 KiB, iperf3's length); "
                    + "--depth, --rate, --threads and --busy-poll do not apply. A server that answers or closes a "
                    + "connection fails the run.",
            "",
            "With --churn it measures connection churn: how fast the server accepts, serves one message and "
                    + "closes short-lived connections. Each of --conns loops, a thread each, connects, sends one "
                    + "line of --size bytes, awaits the reply, closes (the client closes first) and starts again, "
                    + "until --warmup and --duration have passed. It reports connections per second, the latency "
                    + "of a whole connection from connect to the reply's newline, and errors by kind (refused, "
                    + "reset, closed before the reply, bad reply, unanswered at the end, no local port). A "
                    + "connection counts in the window it started in: every one started in the measured window is "
                    + "answered or an error, and any error fails the run. --depth, --rate, --threads and "
                    + "--busy-poll do not apply. Each connection leaves a TIME_WAIT socket on this side for a "
                    + "minute; Linux reuses its port for loopback after a second (net.ipv4.tcp_tw_reuse=2, the "
                    + "default), so the ephemeral ports (28,232 by default) cap churn to loopback at about 28,000 "
                    + "connections a second; over a network the cap is that many a minute.",
            "",
            "A progress line goes to stderr each second; the summary goes to stdout, with the generator's own "
                    + "CPU per message and whether it was itself the bottleneck.",
        },
        parameterListHeading = "%nEndpoint:%n",
        optionListHeading = "%nOptions:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sockit bench",
            "      64 connections, 10 s, against sockit server's default (ack) on tcp://127.0.0.1:8001",
            "  sockit bench tcp://127.0.0.1:8001 --conns 1000 --depth 16 --size 1024",
            "  sockit bench --mode echo",
            "      against sockit server --mode echo: each reply must be the request",
            "  sockit bench --reply OK --rate 50000",
            "      open loop: 50,000 requests per second in total",
            "  sockit bench --json --server-pid 4242 > result.json",
            "      for scripts, with the server's CPU per message",
            "  sockit bench unix:/tmp/sockit.sock",
            "      against sockit server unix:/tmp/sockit.sock --mode echo",
            "  sockit bench udp://127.0.0.1:8001 --loss-timeout 200ms",
            "      reports lost and late datagrams",
            "  sockit bench tcp://127.0.0.1:9000 --mode discard --duration 10s",
            "      bulk throughput in Gbit/s against",
            "      sockit server tcp://127.0.0.1:9000 --mode discard --framing raw",
            "  sockit bench --churn --conns 16 --duration 5s",
            "      connection churn: 16 loops of connect, one line, reply, close;",
            "      connections per second and latency from connect to reply",
        })
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ENDPOINT", defaultValue = Endpoint.DEFAULT,
            description = "The server: tcp://HOST:PORT, unix:/PATH or udp://HOST:PORT. Default: ${DEFAULT-VALUE}.")
    String endpoint;

    @Option(names = "--conns", paramLabel = "N",
            description = "Connections, all opened before the clock starts; with --churn, loops, each opening one "
                    + "connection after another. Default: 64; 1 in discard mode.")
    Integer conns;

    @Option(names = "--depth", paramLabel = "D", defaultValue = "1",
            description = "Requests in flight per connection (pipelining); with --rate, the most a connection "
                    + "may have waiting. Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = "--size", paramLabel = "BYTES",
            description = "Bytes per request line, newline excluded; over UDP, bytes per datagram (at most 65507; "
                    + "echo needs 8 or more); in discard mode, bytes per write. Default: 64; 131072 in discard mode.")
    Integer size;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to measure, after the warmup: 500ms, 10s, 1m. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "2s", converter = DurationConverter.class,
            description = "How long to load the server before measuring, so its JIT settles, and this generator's "
                    + "own: with --rate, give 5s or more for the tail, as a generator warmed for a second may "
                    + "still be compiling as measuring begins, and that pause shows as the p99. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    // ack, as sockit server's own default, so that the two commands with no options work together.
    @Option(names = "--mode", paramLabel = "ack|echo|discard", defaultValue = "ack",
            description = "What the server does, as sockit server's --mode names it, and so how replies are "
                    + "verified: ack (the --reply line, sockit server's default), echo (the request's own bytes), or "
                    + "discard (no replies: a bulk transfer of raw bytes, reported in Gbit/s). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--reply", paramLabel = "TEXT", defaultValue = dev.sockit.Handlers.ACK_REPLY,
            description = "The line an ack server answers. Default: \"${DEFAULT-VALUE}\".")
    String reply;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "Open loop: R requests per second in total, on a fixed schedule, whatever the server does. "
                    + "When requests fall due less than 1 ms apart the generator polls between them and uses its "
                    + "whole CPU. Default: closed loop, as fast as replies come.")
    long rate;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "1",
            description = "Event loops, one platform thread each. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--connect-timeout", paramLabel = "TIME", defaultValue = "5s", converter = DurationConverter.class,
            description = "How long opening one connection may take. Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = "--server-pid", paramLabel = "PID", defaultValue = "0",
            description = "Also report the CPU time per message of this process (the server, on this machine).")
    long serverPid;

    @Option(names = "--busy-poll",
            description = "Poll the sockets without sleeping, so waking the generator adds nothing to a round trip "
                    + "and depth-1 latency is the server's. Takes a whole CPU per thread; busy and CPU per message "
                    + "then count only the time spent on messages.")
    boolean busyPoll;

    @Option(names = "--loss-timeout", paramLabel = "TIME", defaultValue = "1s", converter = DurationConverter.class,
            description = "UDP: a request without a reply this long counts as lost, and its slot is reused. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration lossTimeout;

    @Option(names = "--churn",
            description = "Connection churn: each of --conns loops connects, sends one line, awaits the reply, "
                    + "closes and starts again; reports connections per second and latency from connect to reply.")
    boolean churn;

    @Option(names = "--json", description = "Print one JSON object instead of the summary.")
    boolean json;

    // Bytes per write in discard mode: iperf3's default for TCP, large enough that the cost of a
    // system call vanishes beside the copy of the bytes.
    private static final int BULK_WRITE = 128 * 1024;

    /** A command with every option at its default; picocli fills the fields. */
    public BenchCommand() {}

    /** Runs {@code bench} on its own, for scripts that need no other sockit command. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BenchSettings settings;
        try {
            Mode parsed = Mode.parse(mode);
            boolean bulk = parsed == Mode.DISCARD;
            settings = new BenchSettings(Endpoint.parse(endpoint), conns != null ? conns : bulk ? 1 : 64, depth,
                    size != null ? size : bulk ? BULK_WRITE : 64, duration, warmup, parsed, reply, rate, threads,
                    connectTimeout, serverPid, busyPoll, lossTimeout, churn);
        } catch (IllegalArgumentException e) {
            err.println("sockit: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        if (settings.churn()) {
            ChurnGenerator generator = new ChurnGenerator(settings);
            return measure(generator::run, Report::json, Report::text, Report::failure, out, err);
        }
        if (settings.bulk()) {
            BulkSender sender = new BulkSender(settings);
            return measure(sender::run, Report::json, Report::text, Report::failure, out, err);
        }
        LoadGenerator generator = new LoadGenerator(settings);
        return measure(generator::run, Report::json, Report::text, Report::failure, out, err);
    }

    /** A measurement that reports progress lines as it runs and returns its result. */
    private interface Load<R> {
        R run(Consumer<String> progress) throws IOException;
    }

    /** Runs a load with progress on stderr, prints its report, and exits non-zero if it failed. */
    private <R> int measure(Load<R> load, Function<R, String> toJson, Function<R, String> toText,
            Function<R, String> failureOf, PrintWriter out, PrintWriter err) {
        R result;
        try {
            result = load.run(line -> {
                err.println(line);
                err.flush();
            });
        } catch (IOException e) {
            err.println("sockit: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        out.print(json ? toJson.apply(result) + System.lineSeparator() : toText.apply(result));
        out.flush();
        String failure = failureOf.apply(result);
        if (failure != null) {
            err.println("sockit: " + failure);
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        return CommandLine.ExitCode.OK;
    }
}
