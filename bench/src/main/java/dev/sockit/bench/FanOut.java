package dev.sockit.bench;

import dev.sockit.Endpoint;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server process of bench/broadcast.sh: starts a {@link PushServer}, waits until
 * {@code CONNECTIONS} clients (the {@link Audience} processes) are members, then pushes
 * {@code PUSHES} lines, {@code --pause-ms} apart, and stops.
 *
 * <pre>
 * java -cp ... dev.sockit.bench.FanOut sockit|netty|sockit-cluster|plain CONNECTIONS PUSHES [--pause-ms 200] [--wait-seconds 120]
 * </pre>
 *
 * Each push is the line {@code SEQ NANOS}, where NANOS is {@link System#nanoTime()} read just
 * before the push began, so each client can tell how long the line took to reach it. Prints,
 * on stdout, {@code listening on ENDPOINT (pid PID)}, then per push
 * {@code push SEQ CALL_NANOS CPU_NANOS START_NANOS}: how long the push call took to return,
 * the process's CPU time used so far, read as the push began, and when it began (the
 * nanoTime in the line); last, {@code cpu CPU_NANOS} once
 * the last pause is over. (The kernel counts CPU time in ticks of several milliseconds, so
 * only the difference over many pushes means much.)
 *
 * <p>When the process may run on one CPU only ({@code taskset -c 0}), it also prints, as each
 * push begins and once after the last pause, {@code ticks SEQ USER SYSTEM INTERRUPTS IDLE}:
 * that CPU's time so far from {@code /proc/stat}, in the kernel's ticks (1/100 s), USER with
 * nice, INTERRUPTS hard and soft. On loopback a write delivers its bytes into the reader's
 * socket in a soft interrupt on the writer's CPU (the process's CPU time counts it too, as
 * system time); these lines split a push's cost between the server's code, the kernel's
 * system calls and that delivery. (The line after the last is numbered PUSHES.)
 */
public final class FanOut {

    private static final String USAGE = "usage: FanOut sockit|netty|sockit-cluster|plain CONNECTIONS PUSHES [--pause-ms 200] [--wait-seconds 120]";

    private FanOut() {}

    /** Runs the pushes; exits 2 on bad arguments, 1 when it cannot listen or the clients do not all come. */
    public static void main(String[] args) throws InterruptedException {
        String kind;
        int connections, pushes;
        long pauseMillis = 200;
        Duration wait = Duration.ofSeconds(120);
        try {
            if (args.length < 3 || args.length % 2 == 0) {
                throw new IllegalArgumentException("KIND, CONNECTIONS and PUSHES are required; options take a value");
            }
            kind = args[0];
            connections = Integer.parseInt(args[1]);
            pushes = Integer.parseInt(args[2]);
            for (int i = 3; i < args.length; i += 2) {
                switch (args[i]) {
                    case "--pause-ms" -> pauseMillis = Long.parseLong(args[i + 1]);
                    case "--wait-seconds" -> wait = Duration.ofSeconds(Long.parseLong(args[i + 1]));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (connections < 1 || pushes < 1 || pauseMillis < 0) {
                throw new IllegalArgumentException("CONNECTIONS and PUSHES must be at least 1, --pause-ms at least 0");
            }
        } catch (IllegalArgumentException e) { // NumberFormatException too
            System.err.println("FanOut: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        Endpoint endpoint = Endpoint.parse("tcp://127.0.0.1:0");
        try (PushServer server = PushServer.start(kind, endpoint)) {
            System.out.println(kind + " push server listening on " + endpoint.withPort(server.port())
                    + " (pid " + ProcessHandle.current().pid() + ")"
                    + (server.secondPort() > 0 ? "; second node on " + endpoint.withPort(server.secondPort()) : ""));
            System.out.flush();
            if (!awaitMembers(server, connections, wait)) {
                System.err.println("FanOut: only " + server.members() + " of " + connections + " clients connected within "
                        + wait.toSeconds() + " s; are the Audience processes running against port " + server.port() + "?");
                System.exit(1);
            }
            // The last clients to connect may not be reading yet; the warm-up pushes absorb the rest.
            Thread.sleep(1000);
            push(server, pushes, pauseMillis);
        } catch (IllegalArgumentException e) {
            System.err.println("FanOut: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        } catch (IOException e) {
            System.err.println("FanOut: " + e.getMessage());
            System.exit(1);
        }
    }

    private static boolean awaitMembers(PushServer server, int connections, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (server.members() < connections) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private static void push(PushServer server, int pushes, long pauseMillis) throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        StringBuilder report = new StringBuilder();
        String cpuLine = onlyCpu();
        for (int seq = 0; seq < pushes; seq++) {
            ticks(cpuLine, seq, report);
            long cpu = os.getProcessCpuTime();
            long started = System.nanoTime();
            server.push(seq + " " + started);
            long call = System.nanoTime() - started;
            // Printed at the end: writing to stdout now would be timed with the next push.
            report.append("push ").append(seq).append(' ').append(call).append(' ').append(cpu).append(' ').append(started)
                    .append('\n');
            Thread.sleep(pauseMillis);
        }
        report.append("cpu ").append(os.getProcessCpuTime()).append('\n');
        ticks(cpuLine, pushes, report);
        System.out.print(report);
        System.out.flush();
    }

    /** {@return "cpuN " for the one CPU this process may run on, or null when it may run on several} */
    private static String onlyCpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    String cpus = line.substring(line.indexOf(':') + 1).strip();
                    return cpus.matches("\\d+") ? "cpu" + cpus + " " : null;
                }
            }
        } catch (IOException notLinux) {
            // No split then.
        }
        return null;
    }

    /** Appends {@code ticks SEQ USER SYSTEM INTERRUPTS IDLE} for the CPU whose /proc/stat line begins {@code cpuLine}. */
    private static void ticks(String cpuLine, int seq, StringBuilder report) {
        if (cpuLine == null) {
            return;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith(cpuLine)) {
                    // cpuN user nice system idle iowait irq softirq ...
                    String[] f = line.split(" +");
                    long user = Long.parseLong(f[1]) + Long.parseLong(f[2]);
                    long interrupts = Long.parseLong(f[6]) + Long.parseLong(f[7]);
                    report.append("ticks ").append(seq).append(' ').append(user).append(' ').append(f[3]).append(' ')
                            .append(interrupts).append(' ').append(Long.parseLong(f[4]) + Long.parseLong(f[5])).append('\n');
                    return;
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // No split for this push; Arrivals then shows none.
        }
    }
}
