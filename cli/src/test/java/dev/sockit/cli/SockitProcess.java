package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The sockit command run as its own process, as a user runs it, with its stdout and stderr
 * read line by line on threads of their own so a test can wait for a line with a deadline.
 */
final class SockitProcess implements AutoCloseable {

    private static final Duration LINE_DEADLINE = Duration.ofSeconds(20);
    private static final String EOF = new String("end of stream");

    private final Process process;
    private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> err = new LinkedBlockingQueue<>();

    private SockitProcess(Process process) {
        this.process = process;
        pump(process.inputReader(UTF_8), out);
        pump(process.errorReader(UTF_8), err);
    }

    static SockitProcess start(String... args) throws IOException {
        return startVia(List.of(), args);
    }

    /**
     * The command started through {@code launcher}, a program that runs the command line it is
     * given after its own arguments (e.g. one that passes a listening socket, as systemd does).
     */
    static SockitProcess startVia(List<String> launcher, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // As a user runs it: in the foreground, where SIGINT (Ctrl-C, kill -INT) stops it.
        List<String> command = new ArrayList<>(Sigint.restoring());
        command.addAll(launcher);
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Sockit.class.getName()));
        command.addAll(List.of(args));
        return new SockitProcess(new ProcessBuilder(command).start());
    }

    /** Starts a server on a free port and returns once it has printed its start line. */
    static SockitProcess server(String... options) throws IOException {
        return serverOn("tcp://127.0.0.1:0", options);
    }

    /** Starts a server on {@code endpoint} and returns once it has printed its start line. */
    static SockitProcess serverOn(String endpoint, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("server", endpoint));
        args.addAll(List.of(options));
        SockitProcess server = start(args.toArray(String[]::new));
        String start = server.nextOut();
        if (start == null || !start.startsWith("Server start at: ")) {
            throw new AssertionError("server did not start: " + start + " / " + server.err);
        }
        String bound = start.substring("Server start at: ".length());
        // A Unix server names its path (or @NAME); the others HOST:PORT.
        server.port = bound.startsWith("/") || bound.startsWith("@") ? -1
                : Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1));
        return server;
    }

    private int port = -1;

    int port() {
        return port;
    }

    /** Sets the port read from a start line other than the server's (the relay's, for one). */
    void port(int port) {
        this.port = port;
    }

    String endpoint() {
        return "tcp://127.0.0.1:" + port;
    }

    Process process() {
        return process;
    }

    /** Writes {@code input} to the process's stdin and closes it. */
    SockitProcess input(String input) throws IOException {
        process.getOutputStream().write(input.getBytes(UTF_8));
        process.getOutputStream().close();
        return this;
    }

    /** Writes {@code line} and a newline to the process's stdin, and keeps it open. */
    SockitProcess writeLine(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(UTF_8));
        process.getOutputStream().flush();
        return this;
    }

    /** Closes the process's stdin: end of input. */
    SockitProcess endInput() throws IOException {
        process.getOutputStream().close();
        return this;
    }

    /** Skips stdout lines up to the first that matches {@code regex}, and returns it; fails after the deadline. */
    String awaitOut(String regex) {
        return await(out, "stdout", regex);
    }

    /** Skips stderr lines up to the first that matches {@code regex}, and returns it; fails after the deadline. */
    String awaitErr(String regex) {
        return await(err, "stderr", regex);
    }

    private static String await(BlockingQueue<String> lines, String name, String regex) {
        List<String> skipped = new ArrayList<>();
        for (String line; (line = next(lines, name)) != null; ) {
            if (line.matches(regex)) {
                return line;
            }
            skipped.add(line);
        }
        throw new AssertionError("no line on " + name + " matched " + regex + " before it ended; saw " + skipped);
    }

    /** The next line on stdout, or null at end of stream; fails after the deadline. */
    String nextOut() {
        return next(out, "stdout");
    }

    /** The next line on stderr, or null at end of stream; fails after the deadline. */
    String nextErr() {
        return next(err, "stderr");
    }

    /** Waits for the process to end; returns its exit status. */
    int exitStatus() throws InterruptedException {
        if (!process.waitFor(LINE_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("sockit did not exit within " + LINE_DEADLINE);
        }
        return process.exitValue();
    }

    /** Every line left on stdout until the process closes it. */
    List<String> restOfOut() {
        List<String> lines = new ArrayList<>();
        for (String line; (line = nextOut()) != null; ) {
            lines.add(line);
        }
        return lines;
    }

    /** Every line left on stderr until the process closes it. */
    List<String> restOfErr() {
        List<String> lines = new ArrayList<>();
        for (String line; (line = nextErr()) != null; ) {
            lines.add(line);
        }
        return lines;
    }

    private static String next(BlockingQueue<String> lines, String name) {
        try {
            String line = lines.poll(LINE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("no line on " + name + " within " + LINE_DEADLINE);
            }
            if (line == EOF) {
                lines.add(EOF); // stays at end of stream for later calls
                return null;
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void pump(BufferedReader reader, BlockingQueue<String> lines) {
        Thread.ofPlatform().daemon(true).start(() -> {
            try (reader) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // The process is gone; end of stream below says so.
            } finally {
                lines.add(EOF);
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
