package dev.sockit.cli;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.Handler;
import dev.sockit.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code sockit server --exec} and {@code --sh-exec}: each client joined to a new process, as
 * {@code ncat -e} and {@code ncat -c} do. What the client sends is the process's standard
 * input, byte for byte; what the process writes on standard output goes to the client; its
 * standard error is the server's.
 *
 * <ul>
 *   <li>The client ending its output closes the process's standard input (a filter such as
 *       {@code sort} then answers and exits).</li>
 *   <li>The process closing its output (exiting, mostly) ends the connection, once all it wrote
 *       has been sent.</li>
 *   <li>The client leaving (reset, closed, timed out, kicked, the server stopping) ends the
 *       process: SIGTERM to it and its descendants, SIGKILL after {@link #GRACE}.</li>
 * </ul>
 *
 * The process learns who it talks to from its environment, under sockit's names and ncat's:
 * {@code SOCKIT_REMOTE_ADDR}, {@code SOCKIT_REMOTE_PORT}, {@code SOCKIT_LOCAL_ADDR},
 * {@code SOCKIT_LOCAL_PORT}, {@code SOCKIT_PROTO} and {@code NCAT_*} likewise.
 */
final class ExecHandler implements Handler {

    /** How long a process has, after SIGTERM, before it is killed. */
    static final Duration GRACE = Duration.ofSeconds(2);
    // How often a watcher looks whether the client left while the process still runs: a
    // wake-up per 250 ms per client, small beside the process each client costs.
    private static final Duration WATCH = Duration.ofMillis(250);

    private final List<String> command;
    // Where a program that cannot start is reported: the operator's problem, not the client's.
    private volatile java.io.PrintStream err = System.err;

    private ExecHandler(List<String> command) {
        this.command = List.copyOf(command);
    }

    /** {@code --exec 'CMD ARGS'}: the program and its arguments, split at white space, no shell. */
    static ExecHandler exec(String line) {
        List<String> words = Arrays.stream(line.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
        if (words.isEmpty()) {
            throw new IllegalArgumentException("--exec needs a program, e.g. --exec '/bin/cat'; for a shell line with"
                    + " pipes or quotes, use --sh-exec");
        }
        return new ExecHandler(words);
    }

    /** {@code --sh-exec 'LINE'}: the line run by {@code /bin/sh -c}. */
    static ExecHandler shell(String line) {
        if (line.isBlank()) {
            throw new IllegalArgumentException("--sh-exec needs a shell command line, e.g. --sh-exec 'tr a-z A-Z'");
        }
        return new ExecHandler(List.of("/bin/sh", "-c", line));
    }

    /** The program and its arguments, as started. */
    List<String> command() {
        return command;
    }

    @Override
    public void handle(Connection connection) throws Exception {
        Process process = start(connection);
        if (process == null) {
            return;
        }
        // The client may leave while the handler is blocked writing to a process that does not
        // read: only a watcher then sees it and ends the process, which unblocks the write.
        Thread watcher = Thread.ofVirtual().name("sockit-exec-watch-" + connection.id())
                .start(() -> endOnceTheClientLeaves(process, connection));
        try {
            Thread output = Thread.ofPlatform().daemon(true).name("sockit-exec-" + connection.id())
                    .start(() -> relayOutput(process, connection));
            try (OutputStream stdin = process.getOutputStream()) {
                for (Message message; (message = connection.receive()) != null; ) {
                    // Blocks while the process is not reading: we stop reading the client too,
                    // so a program slower than its client slows the client.
                    stdin.write(message.bytes());
                    stdin.flush();
                }
            } catch (IOException stdinClosed) {
                // The process closed its standard input or exited: its output decides the rest.
            }
            output.join();
        } finally {
            watcher.interrupt();
            end(process);
        }
    }

    /** Looks every {@link #WATCH} while the process runs; ends it once the connection has closed. */
    private static void endOnceTheClientLeaves(Process process, Connection connection) {
        try {
            while (!process.waitFor(WATCH.toMillis(), TimeUnit.MILLISECONDS)) {
                if (!connection.isOpen()) {
                    end(process);
                    return;
                }
            }
        } catch (InterruptedException handlerDone) {
            // the handler ended the process itself
        }
    }

    /** The process, or null when it cannot start: said on stderr, the client closed, the server goes on. */
    private Process start(Connection connection) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = builder.environment();
        describe(env, "REMOTE", connection.remote());
        describe(env, "LOCAL", connection.local());
        env.put("SOCKIT_PROTO", connection.protocol());
        env.put("NCAT_PROTO", connection.protocol().toUpperCase(java.util.Locale.ROOT));
        try {
            return builder.start();
        } catch (IOException e) {
            String why = "cannot start " + String.join(" ", command) + ": " + e.getMessage();
            err.println("sockit: " + why + " (is the program's path right, and is it executable?); closed " + connection);
            connection.close(CloseReason.of(CloseReason.Code.CLOSED, why));
            return null;
        }
    }

    private static void describe(Map<String, String> env, String side, SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            for (String prefix : new String[] {"SOCKIT_", "NCAT_"}) {
                env.put(prefix + side + "_ADDR", host);
                env.put(prefix + side + "_PORT", Integer.toString(inet.getPort()));
            }
        }
    }

    /** The process's output to the client, on a platform thread: a blocking pipe read would hold a carrier. */
    private static void relayOutput(Process process, Connection connection) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream stdout = process.getInputStream()) {
            for (int n; (n = stdout.read(buffer)) > 0; ) {
                connection.send(Message.of(Arrays.copyOf(buffer, n)));
            }
            String status = process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)
                    ? "the program exited with status " + process.exitValue() : "the program closed its output";
            connection.close(CloseReason.of(CloseReason.Code.CLOSED, status));
        } catch (IOException clientGone) {
            connection.close(CloseReason.of(CloseReason.Code.BROKEN, String.valueOf(clientGone.getMessage())));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM to the process and its descendants (a shell's children), then SIGKILL after the grace. */
    private static void end(Process process) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> family = process.descendants().toList();
        // The handle's destroy, not Process.destroy: that one first closes the process's input,
        // which waits for a write blocked on a program that does not read, and never signals.
        ProcessHandle handle = process.toHandle();
        handle.destroy();
        family.forEach(ProcessHandle::destroy);
        if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            handle.destroyForcibly();
            family.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
