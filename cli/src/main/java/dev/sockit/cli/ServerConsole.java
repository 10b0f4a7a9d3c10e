package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Cluster;
import dev.sockit.ConnectionId;
import dev.sockit.ConnectionInfo;
import dev.sockit.Message;
import dev.sockit.Server;
import dev.sockit.ServerStats;
import dev.sockit.Survey;
import dev.sockit.cluster.Broker;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * The server's console: the operator types commands while the server runs.
 *
 * <pre>
 * /list               who is connected: id, address, since, messages in and out, bytes queued
 * /send ID TEXT       send TEXT to one connection
 * /all TEXT           send TEXT to every connection (so does a line without a slash)
 * /kick ID [REASON]   close a connection, telling the peer why
 * /stats              connections and traffic since the server started
 * /nodes              the live nodes of the cluster, and the link to them
 * /quit               stop gracefully, as Ctrl-C does
 * /help               the commands
 * </pre>
 *
 * <p>At a terminal it reads with JLine behind a {@code "> "} prompt, and the server's output
 * (its {@link Printer}) is printed above the prompt, never through what is being typed.
 * Otherwise, when asked for with {@code --console}, it reads commands from standard input,
 * one per line; when that input ends the console stops and the server goes on.
 *
 * <p>When is it on? Reading a terminal from a background job ({@code sockit server &}) would
 * stop the whole process with SIGTTIN, so unless told ({@code --console}/{@code --no-console})
 * it is on only when stdin and stdout are a terminal and the process is in that terminal's
 * foreground process group.
 *
 * <p>In a cluster ({@code --cluster}) every command acts on every node through
 * {@link Server#cluster()}: ids are {@code node/number}, {@code /send} and {@code /kick} go to
 * the one node that holds the connection, {@code /list} and {@code /stats} ask each live node
 * and wait at most {@link #ASK_WAIT} for its answer.
 */
final class ServerConsole {

    static final String PROMPT = "> ";
    /** How long a command waits for the other nodes of a cluster to answer. */
    static final Duration ASK_WAIT = Duration.ofSeconds(2);
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final PrintStream err;
    private final boolean atTerminal;          // false when reading a pipe
    private Terminal terminal;                 // the console thread's, once set up
    // Null when reading a pipe, until the terminal is set up, and once it is closed; guarded by
    // printing, so that a line printed before it is set cannot cross the first prompt.
    private LineReader reader;
    private final Object printing = new Object();
    private Server server;
    private Printer out;
    private java.util.function.IntConsumer quit;

    /** The exit status after Ctrl-C, whatever reads it (the JVM's for SIGINT, or this console). */
    static final int INTERRUPTED = 130;

    private ServerConsole(boolean atTerminal, PrintStream err) {
        this.atTerminal = atTerminal;
        this.err = err;
    }

    /**
     * The console, if it should be on: {@code wanted} is {@code --console} (true),
     * {@code --no-console} (false) or neither (null: on at a terminal, in the foreground).
     */
    static Optional<ServerConsole> open(Boolean wanted, PrintStream err) throws IOException {
        java.io.Console system = System.console();
        boolean terminal = system != null && system.isTerminal();
        boolean on = wanted != null ? wanted : terminal && inForeground();
        if (!on) {
            return Optional.empty();
        }
        return Optional.of(new ServerConsole(terminal, err));
    }

    /** The printer for the server's output: above the prompt at a terminal, else on stdout. */
    Printer printer() {
        if (!atTerminal) {
            return new Printer(System.out);
        }
        return new Printer(line -> {
            synchronized (printing) {
                if (reader != null) {
                    reader.printAbove(line);
                } else {
                    System.out.println(line);
                    System.out.flush();
                }
            }
        });
    }

    /**
     * Starts reading commands on a platform thread; {@code quit} stops the server and the
     * process with the status it is given: 0 for /quit, 130 for Ctrl-C.
     */
    void start(Server server, Printer out, java.util.function.IntConsumer quit) {
        this.server = server;
        this.out = out;
        this.quit = quit;
        // Standard input blocks in the kernel: read it on a platform thread, not a virtual one.
        Thread.ofPlatform().name("sockit-console").daemon(true).start(atTerminal ? this::readTerminal : this::readPipe);
    }

    private void readTerminal() {
        LineReader lines;
        try {
            // JLine's terminal is set up once the server listens, not beside its start: on a small
            // machine its 50-100 ms of CPU slowed the start it overlapped (docs/performance.md).
            // Until the prompt is drawn the server's lines go straight to stdout.
            terminal = SystemTerminal.build();
            lines = LineReaderBuilder.builder().terminal(terminal).appName("sockit-server").build();
        } catch (IOException | RuntimeException e) {
            err.println("sockit: cannot set up the console on this terminal: " + e.getMessage()
                    + "; the server goes on without it (Ctrl-C stops it)");
            return;
        }
        synchronized (printing) {
            reader = lines;
        }
        out.println("console: type /help for commands");
        try {
            for (;;) {
                String line;
                try {
                    line = lines.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    // Ctrl-C at the prompt reaches us, not the JVM: stop as Ctrl-C always does,
                    // with the status a SIGINT gives (128 + 2), not /quit's 0.
                    stop(INTERRUPTED);
                    return;
                } catch (EndOfFileException e) {
                    break;
                }
                execute(line);
            }
        } finally {
            closeTerminal();
        }
        err.println("sockit: console closed (end of input); the server goes on: Ctrl-C stops it");
    }

    private void readPipe() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(FileDescriptor.in), UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                execute(line);
            }
        } catch (IOException e) {
            err.println("sockit: cannot read console commands from standard input: " + e.getMessage()
                    + "; the server goes on without its console");
            return;
        }
        err.println("sockit: console input ended; the server goes on (stop it with SIGTERM or Ctrl-C)");
    }

    // Closing the terminal gives SIGINT back to the JVM, so Ctrl-C still stops the server gracefully.
    private void closeTerminal() {
        synchronized (printing) {
            reader = null;
        }
        try {
            terminal.close();
        } catch (IOException e) {
            err.println("sockit: cannot restore the terminal: " + e.getMessage() + " (run 'stty sane' if it misbehaves)");
        }
    }

    private void stop(int status) {
        if (atTerminal) {
            closeTerminal();
        }
        quit.accept(status);
    }

    /** Carries out one line typed at the console; answers go through the printer. */
    void execute(String line) {
        String command = line.strip();
        if (command.isEmpty()) {
            return;
        }
        if (command.startsWith("//")) {
            all(command.substring(1)); // "//text" sends "/text"
            return;
        }
        if (!command.startsWith("/")) {
            all(line);
            return;
        }
        String[] words = command.split("\\s+", 2);
        String rest = words.length > 1 ? words[1] : "";
        switch (words[0].toLowerCase(Locale.ROOT)) {
            case "/list" -> list();
            case "/send" -> send(rest);
            case "/all" -> {
                if (rest.isEmpty()) {
                    out.println("/all needs a text: /all TEXT");
                } else {
                    all(rest);
                }
            }
            case "/kick" -> kick(rest);
            case "/stats" -> stats();
            case "/nodes" -> nodes();
            case "/quit" -> stop(0);
            case "/help" -> help();
            default -> out.println("unknown command \"" + words[0] + "\"; try /help");
        }
    }

    private void list() {
        Cluster cluster = server.cluster();
        Survey<List<ConnectionInfo>> survey = cluster.connections(ASK_WAIT);
        List<ConnectionInfo> connections = survey.answers().values().stream().flatMap(List::stream).toList();
        if (connections.isEmpty()) {
            out.println("no connections" + (cluster.spansNodes() ? " on " + nodes(survey) : ""));
        } else {
            out.println(connections.size() + (connections.size() == 1 ? " connection" : " connections")
                    + (cluster.spansNodes() ? " on " + nodes(survey) + ":" : ":"));
        }
        Instant now = Instant.now();
        for (ConnectionInfo c : connections) {
            out.println(String.format(Locale.ROOT, "  #%s  %s  since %s (%s)  in %d  out %d  queued %d bytes", c.id(),
                    c.remote(),
                    LocalTime.ofInstant(c.openedAt(), ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS).format(SINCE),
                    age(Duration.between(c.openedAt(), now)), c.messagesIn(), c.messagesOut(), c.queuedBytes()));
        }
        silent(survey);
    }

    private static String nodes(Survey<?> survey) {
        int n = survey.answers().size();
        return n + (n == 1 ? " node" : " nodes");
    }

    private void silent(Survey<?> survey) {
        for (String node : survey.silent()) {
            out.println("  node " + node + " did not answer within " + DurationConverter.format(ASK_WAIT)
                    + " (busy, or just gone: /nodes shows who is live)");
        }
    }

    private void send(String rest) {
        String[] words = rest.split("\\s+", 2);
        if (words.length < 2 || words[1].isEmpty()) {
            out.println("/send needs an id and a text: /send ID TEXT, e.g. /send 1 hello (/list shows the ids)");
            return;
        }
        id(words[0], "/send").ifPresent(id -> {
            Cluster.Result result = server.cluster().send(id, Message.of(words[1]), ASK_WAIT);
            out.println(result.outcome() == Cluster.Outcome.DONE ? "sent to #" + id : "/send: " + failure(id, result));
        });
    }

    private void all(String text) {
        Cluster cluster = server.cluster();
        int reached = cluster.broadcast(Message.of(text));
        String here = "sent to " + reached + (reached == 1 ? " connection" : " connections");
        if (!cluster.spansNodes()) {
            out.println(here);
        } else if (cluster.broker().linkUp()) {
            int others = cluster.nodes().size() - 1;
            out.println(here + " here and to " + others + (others == 1 ? " other node" : " other nodes"));
        } else {
            out.println(here + " here; not to the other nodes: the cluster link is down");
        }
    }

    private void kick(String rest) {
        String[] words = rest.split("\\s+", 2);
        if (words[0].isEmpty()) {
            out.println("/kick needs an id: /kick ID [REASON], e.g. /kick 1 flooding (/list shows the ids)");
            return;
        }
        id(words[0], "/kick").ifPresent(id -> {
            String reason = words.length > 1 && !words[1].isBlank() ? "kicked: " + words[1].strip() : "kicked by the operator";
            Cluster.Result result = server.cluster().kick(id, reason, ASK_WAIT);
            out.println(result.outcome() == Cluster.Outcome.DONE ? "kicked #" + id + " (" + result.remote() + "): " + reason
                    : "/kick: " + failure(id, result));
        });
    }

    private String failure(ConnectionId id, Cluster.Result result) {
        return switch (result.outcome()) {
            case DONE -> "done";
            case NO_SUCH_CONNECTION -> "no connection #" + id + " (it may have left; /list shows who is connected)";
            case NO_SUCH_NODE -> "no live node \"" + id.node() + "\" (/nodes shows the live ones)";
            case LINK_DOWN -> "the cluster link is down; #" + id + " is on another node (try again when it is back)";
            case NO_ANSWER -> "node " + id.node() + " did not answer within " + DurationConverter.format(ASK_WAIT)
                    + "; it may or may not have done it";
        };
    }

    private void stats() {
        Cluster cluster = server.cluster();
        if (!cluster.spansNodes()) {
            out.println(describe(server.stats()));
            return;
        }
        Survey<ServerStats> survey = cluster.stats(ASK_WAIT);
        long[] total = new long[9];
        survey.answers().forEach((node, s) -> {
            out.println("  " + node + ": " + describe(s));
            long[] values = {s.open(), s.accepted(), s.rejected(), s.refused(), s.messagesIn(), s.messagesOut(),
                    s.bytesIn(), s.bytesOut(), s.proxyHeaderRefused()};
            for (int i = 0; i < total.length; i++) {
                total[i] += values[i];
            }
        });
        out.println("  total over " + nodes(survey) + ": "
                + describe(new ServerStats((int) total[0], total[1], total[2], total[3], total[4], total[5], total[6],
                        total[7], total[8])));
        silent(survey);
    }

    private static String describe(ServerStats s) {
        return String.format(Locale.ROOT,
                "%d open, %d accepted, %d rejected, %d refused%s; messages: %d in, %d out; bytes: %d in, %d out",
                s.open(), s.accepted(), s.rejected(), s.refused(),
                // Only behind a proxy (--proxy-protocol) can there be any: left out elsewhere.
                s.proxyHeaderRefused() == 0 ? "" : ", " + s.proxyHeaderRefused() + " bad PROXY headers",
                s.messagesIn(), s.messagesOut(), s.bytesIn(), s.bytesOut());
    }

    private void nodes() {
        Cluster cluster = server.cluster();
        if (!cluster.spansNodes()) {
            out.println("not in a cluster: this server alone (start it with --cluster redis://HOST:PORT to join one)");
            return;
        }
        Broker broker = cluster.broker();
        List<String> nodes = cluster.nodes();
        out.println(nodes.size() + (nodes.size() == 1 ? " live node: " : " live nodes: ") + nodes.stream()
                .map(n -> n.equals(cluster.node()) ? n + " (this one)" : n).collect(java.util.stream.Collectors.joining(", ")));
        Broker.Stats s = broker.stats();
        out.println(String.format(Locale.ROOT, "link %s (%s); messages: %d sent, %d received, %d not sent; link lost %d %s",
                broker.linkUp() ? "up" : "DOWN", broker, s.published(), s.received(), s.unsent(), s.linkDowns(),
                s.linkDowns() == 1 ? "time" : "times"));
    }

    private void help() {
        for (String line : List.of(
                "/list               who is connected, on every node: id, address, since, messages in and out, bytes queued",
                "/send ID TEXT       send TEXT to connection ID",
                "/all TEXT           send TEXT to every connection (so does a line without a slash)",
                "/kick ID [REASON]   close connection ID, telling the peer why",
                "/stats              connections and traffic since the server started (per node and in total)",
                "/nodes              the live nodes of the cluster and the link to them",
                "/quit               stop the server gracefully, as Ctrl-C does",
                "/help               this list",
                "//TEXT              send /TEXT to every connection")) {
            out.println(line);
        }
    }

    private Optional<ConnectionId> id(String text, String command) {
        try {
            return Optional.of(ConnectionId.parse(text));
        } catch (IllegalArgumentException e) {
            out.println(command + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code 4.2 s}, {@code 3 min 7 s}, {@code 2 h 5 min}. */
    static String age(Duration age) {
        long seconds = age.toSeconds();
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", age.toMillis() / 1000.0);
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }

    /**
     * True unless we know the process is a background job of its terminal. On Linux,
     * {@code /proc/self/stat} has our process group and the terminal's foreground group;
     * elsewhere we cannot tell cheaply and assume the foreground.
     */
    static boolean inForeground() {
        Path stat = Path.of("/proc/self/stat");
        if (!Files.isReadable(stat)) {
            return true;
        }
        try {
            return inForeground(Files.readString(stat));
        } catch (IOException e) {
            return true;
        }
    }

    /** Whether a {@code /proc/PID/stat} line says the process is in its terminal's foreground group. */
    static boolean inForeground(String stat) {
        // The command name, field 2, is in parentheses and may hold spaces and ')': split after the last ')'.
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            return true;
        }
        String[] fields = stat.substring(end + 1).strip().split("\\s+");
        // After the name: state ppid pgrp session tty_nr tpgid ...
        return fields.length > 5 && fields[2].equals(fields[5]);
    }
}
