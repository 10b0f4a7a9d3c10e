package dev.sockit.cli;

import dev.sockit.Ping;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sockit ping HOST}: ICMP echo with ping's options and ping's output, over the
 * unprivileged ICMP datagram socket where the kernel allows it, else a raw socket (root).
 * Exit status 0 when any reply came, 1 when none did.
 */
@Command(name = "ping",
        mixinStandardHelpOptions = true,
        description = "Sends ICMP echo requests to HOST and prints each reply and the round-trip statistics, as ping "
                + "does. Needs no root: it opens an ICMP datagram socket, which the kernel allows to the groups in "
                + "net.ipv4.ping_group_range; as root it falls back to a raw socket. Linux x86_64 only. Exit status: "
                + "0 when a reply came, 1 when none did.%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sockit ping 127.0.0.1 -c 3           # three requests, a second apart",
            "  sockit ping ::1 -c 5 -i 0.2          # IPv6 loopback, five times a second",
            "  sockit ping example.com -6 -W 2s     # its IPv6 address; wait 2 s at most for the last reply",
            "",
            "If the kernel refuses the socket, allow your group to ping without root:",
            "  sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"",
        })
final class PingCommand implements Callable<Integer>, Sockit.Verbose {

    // A pinger that should not look like a flood: iputils allows users no less than this.
    private static final Duration MIN_INTERVAL = Duration.ofMillis(2);
    // How often the sending loop looks up from poll(2) to see whether Ctrl-C asked it to stop.
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    @Parameters(index = "0", paramLabel = "HOST", description = "The host name or address to ping: 127.0.0.1, ::1, example.com.")
    String host;

    @Option(names = {"-c", "--count"}, paramLabel = "COUNT",
            description = "Stop after COUNT requests (and their replies, or -W). Default: until Ctrl-C.")
    int count;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", converter = DurationConverter.class, defaultValue = "1s",
            description = "Time between requests: 1, 0.2, 500ms (a bare number is seconds). At least 2ms. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration interval;

    @Option(names = {"-W", "--timeout"}, paramLabel = "TIMEOUT", converter = DurationConverter.class, defaultValue = "10s",
            description = "How long to wait for the last replies after the last request. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = {"-s", "--size"}, paramLabel = "SIZE", defaultValue = "56",
            description = "Data bytes per request, after the 8-byte ICMP header. Default: ${DEFAULT-VALUE} (64 bytes of ICMP).")
    int size;

    @Option(names = "-4", description = "Ping the host's IPv4 address.")
    boolean ipv4;

    @Option(names = "-6", description = "Ping the host's IPv6 address.")
    boolean ipv6;

    @Option(names = {"-v", "--verbose"}, description = "Say which socket kind was opened; print stack traces with errors.")
    boolean verbose;

    private final Object printing = new Object();
    private final Ping.Statistics statistics = new Ping.Statistics();
    private volatile boolean stopping;
    private boolean summarized;

    @Override
    public boolean verbose() {
        return verbose;
    }

    @Override
    public Integer call() throws Exception {
        check();
        InetAddress target = resolve();
        PrintStream out = System.out;
        try (Ping ping = Ping.open(target)) {
            if (verbose) {
                System.err.println("sockit: pinging over an ICMP " + ping.kind() + " socket");
            }
            String address = Ping.text(target);
            out.println(target instanceof Inet4Address
                    ? "PING " + host + " (" + address + ") " + size + "(" + (size + 28) + ") bytes of data."
                    : "PING " + host + " (" + address + ") " + size + " data bytes");
            long start = System.nanoTime();
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = Thread.ofPlatform().unstarted(() -> stopOnSignal(finished, start));
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                run(ping, out);
                summarize(out, start);
            } finally {
                finished.countDown();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException stoppingAlready) {
                // Ctrl-C came as the loop ended: the hook prints nothing twice and sets the status.
            }
        }
        return statistics.received() > 0 ? 0 : 1;
    }

    private void check() {
        if (count < 0) {
            throw new IllegalArgumentException("-c " + count + ": a count is 1 or more (leave it out to ping until Ctrl-C)");
        }
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("-i " + DurationConverter.format(interval) + " is too short; the least is "
                    + MIN_INTERVAL.toMillis() + "ms");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("-W must be longer than zero, e.g. 1s");
        }
        if (size < 0 || size > Ping.MAX_SIZE) {
            throw new IllegalArgumentException("-s " + size + " is out of range; choose 0 to " + Ping.MAX_SIZE + " bytes");
        }
        if (ipv4 && ipv6) {
            throw new IllegalArgumentException("-4 and -6 exclude each other; give one");
        }
    }

    private InetAddress resolve() throws UnknownHostException {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("unknown host " + host + " (check the name, or ping an address like 127.0.0.1)");
        }
        for (InetAddress a : all) {
            if (ipv4 ? a instanceof Inet4Address : !ipv6 || !(a instanceof Inet4Address)) {
                return a;
            }
        }
        throw new UnknownHostException(host + " has no IPv" + (ipv4 ? "4" : "6") + " address (drop -"
                + (ipv4 ? "4" : "6") + " to ping the one it has)");
    }

    private void run(Ping ping, PrintStream out) throws Exception {
        long intervalNanos = interval.toNanos();
        long nextSend = System.nanoTime();
        for (int sequence = 1; (count == 0 || sequence <= count) && !stopping; sequence++) {
            ping.send(sequence, size);
            synchronized (printing) {
                statistics.sent();
            }
            nextSend += intervalNanos;
            boolean last = count != 0 && sequence == count;
            // After the last request, wait for what is still out, for -W at most.
            long until = last ? System.nanoTime() + timeout.toNanos() : nextSend;
            while (!stopping && (!last || ping.outstanding() > 0)) {
                long now = System.nanoTime();
                if (now >= until) {
                    break;
                }
                Ping.Echo echo = ping.receive(Math.min(until, now + SLICE_NANOS));
                if (echo != null) {
                    print(out, echo);
                }
            }
        }
    }

    private void print(PrintStream out, Ping.Echo echo) {
        synchronized (printing) {
            if (summarized) {
                return;
            }
            statistics.replied(echo.time());
            out.println(echo.bytes() + " bytes from " + Ping.text(echo.from()) + ": icmp_seq=" + echo.sequence()
                    + (echo.ttl() >= 0 ? " ttl=" + echo.ttl() : "") + " time=" + millis(echo.time()) + " ms");
        }
    }

    /** As ping prints a round trip: three significant digits, and no fraction from 100 ms up. */
    static String millis(Duration time) {
        double ms = time.toNanos() / 1e6;
        String format = ms >= 100 ? "%.0f" : ms >= 10 ? "%.1f" : ms >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, format, ms);
    }

    private void summarize(PrintStream out, long start) {
        synchronized (printing) {
            if (summarized) {
                return;
            }
            summarized = true;
            out.println();
            out.println(statistics.summary(host, Duration.ofNanos(System.nanoTime() - start)));
            out.flush();
        }
    }

    // Ctrl-C: let the loop notice (it looks up every 100 ms) and print the statistics; if it
    // does not in time, print them here. The status says whether any reply came, as ping's does.
    private void stopOnSignal(CountDownLatch finished, long start) {
        stopping = true;
        try {
            finished.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        summarize(System.out, start);
        Runtime.getRuntime().halt(statistics.received() > 0 ? 0 : 1);
    }
}
