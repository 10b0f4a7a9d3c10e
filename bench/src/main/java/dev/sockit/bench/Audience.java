package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One client process of the scale benchmarks: opens {@code COUNT} TCP connections to a
 * server on loopback, says {@code ready COUNT} on stdout, and from then on sends nothing.
 * With {@code --websocket PATH} each connection first opens a WebSocket on that path (the
 * HTTP upgrade, answered 101), for the idle benchmark's ws:// run.
 * It listens: each line {@code SEQ NANOS} a server pushes (see {@link FanOut}) is stamped
 * with {@link System#nanoTime()} on arrival, and {@code NANOS − arrival} is kept per push and
 * per connection. The machine's monotonic clock is shared by every process on one Linux
 * host, so the server's stamp and ours compare directly.
 *
 * <pre>
 * java -cp ... dev.sockit.bench.Audience PORT COUNT [--from 127.0.0.2] [--seconds 600]
 *                                                     [--pushes N --record FILE] [--websocket /echo]
 * </pre>
 *
 * <p>It leaves (closing every connection) when its standard input closes, when the time
 * limit passes, when the server has closed every connection, or once it has recorded
 * {@code --pushes} pushes on every connection; then it writes the record, if asked, and says
 * {@code left: ...; cpu NANOS}, the CPU time it used. One
 * selector thread reads every connection, so the process costs one core at most, and it
 * opens one file per connection: keep {@code COUNT} under the process's open-file limit.
 */
public final class Audience {

    private static final String USAGE = "usage: Audience PORT COUNT [--from ADDRESS] [--seconds S] [--pushes N --record FILE]"
            + " [--websocket PATH]"
            + "   e.g. Audience 9101 5000 --from 127.0.0.2 --seconds 120";
    // The longest line we expect, "SEQ NANOS\n": anything longer is not a push of ours.
    private static final int MAX_LINE = 64;
    private static final long NOT_ARRIVED = -1;

    // Set by the thread that watches standard input; the selector, once there is one, is woken.
    private static volatile boolean stdinClosed;
    private static volatile Selector selector;

    private final SocketChannel[] channels;
    // Per connection, a line begun in one read and ended in a later one.
    private final byte[][] partial;
    private final int[] partialLength;
    // arrivals[push][connection]: nanoseconds from the server's stamp to our read, or NOT_ARRIVED.
    private final long[][] arrivals;
    private long recorded;
    private int open;
    // The process's CPU time when the first push arrived, and when the audience stopped listening.
    private long cpuAtFirst = -1;
    private long cpuAtEnd = -1;
    // Reads, and selector wake-ups that found at least one connection to read: how bunched
    // the arrivals were, which sets what each read costs us.
    private long reads;
    private long wakeUps;

    /** An audience of connected channels, expecting {@code pushes} pushes (0: none, just hold them). */
    Audience(SocketChannel[] channels, int pushes) {
        this.channels = channels;
        this.partial = new byte[channels.length][];
        this.partialLength = new int[channels.length];
        this.arrivals = new long[pushes][channels.length];
        for (long[] push : arrivals) {
            Arrays.fill(push, NOT_ARRIVED);
        }
        this.open = channels.length;
    }

    /** Runs one audience; exits 2 on bad arguments, 1 when it cannot connect. */
    public static void main(String[] args) throws IOException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Audience: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        long deadline = System.nanoTime() + options.limit().toNanos();
        watchStandardInput();
        SocketChannel[] channels;
        try {
            channels = connect(options, deadline);
        } catch (IOException e) {
            System.err.println("Audience: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println("ready " + channels.length);
        System.out.flush();
        Audience audience = new Audience(channels, options.pushes());
        try (Selector selector = Selector.open()) {
            audience.listen(selector, deadline);
        } finally {
            for (SocketChannel channel : channels) {
                channel.close();
            }
        }
        if (options.record() != null) {
            audience.write(options.record());
        }
        // The CPU time this process used in all, for a script that accounts for the machine's.
        System.out.println("left: " + audience.recorded + " arrivals recorded, " + audience.open
                + " connections still open; cpu " + cpuTime());
    }

    /**
     * Opens every connection, one after another, each bound to {@code --from} when given.
     *
     * @throws IOException naming the connection that failed and how many were open
     */
    static SocketChannel[] connect(Options options, long deadline) throws IOException {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port());
        InetSocketAddress from = options.from() == null ? null : new InetSocketAddress(options.from(), 0);
        List<SocketChannel> channels = new ArrayList<>(options.count());
        try {
            while (channels.size() < options.count()) {
                if (System.nanoTime() > deadline || stdinClosed) {
                    throw new IOException("only " + channels.size() + " of " + options.count() + " connections to "
                            + server + " were open when " + (stdinClosed ? "standard input closed" : "the time limit passed"));
                }
                SocketChannel channel = SocketChannel.open();
                channels.add(channel);
                try {
                    if (from != null) {
                        channel.bind(from);
                    }
                    // A blocking connect returns once the kernel has done the handshake, so the
                    // server's accept loop sets the pace only when its backlog is full.
                    channel.connect(server);
                    if (options.websocket() != null) {
                        upgrade(channel, options.websocket());
                    }
                    channel.configureBlocking(false);
                } catch (IOException e) {
                    throw new IOException("connection " + channels.size() + " of " + options.count() + " to " + server
                            + (from == null ? "" : " from " + from.getAddress().getHostAddress()) + " failed: " + e.getMessage()
                            + (e instanceof java.net.BindException
                                    ? " (ports of an earlier run may be in TIME_WAIT: use another --from address)" : ""), e);
                }
            }
        } catch (IOException e) {
            for (SocketChannel channel : channels) {
                channel.close();
            }
            throw e;
        }
        return channels.toArray(SocketChannel[]::new);
    }

    /**
     * The WebSocket opening on a blocking channel: the upgrade request, and the server's answer
     * read up to its blank line, which must be 101. The server sends nothing after it on an
     * idle connection, so no frame is read here by mistake.
     */
    private static void upgrade(SocketChannel channel, String path) throws IOException {
        channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(US_ASCII)));
        ByteBuffer answer = ByteBuffer.allocate(1024);
        while (!new String(answer.array(), 0, answer.position(), US_ASCII).contains("\r\n\r\n")) {
            if (!answer.hasRemaining() || channel.read(answer) < 0) {
                throw new IOException("the server closed or answered more than 1 KiB to the WebSocket upgrade: "
                        + new String(answer.array(), 0, answer.position(), US_ASCII).lines().findFirst().orElse(""));
            }
        }
        String status = new String(answer.array(), 0, answer.position(), US_ASCII).lines().findFirst().orElse("");
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("the server answered the WebSocket upgrade with \"" + status + "\", not 101");
        }
    }

    /** The process ends when its standard input does: how a script that started it says "leave". */
    private static void watchStandardInput() {
        Thread.ofPlatform().daemon(true).name("stdin").start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Whatever is written is ignored; only the end matters.
                }
            } catch (IOException ignored) {
                // A broken stdin is a closed one.
            }
            // Not System.exit from here: the selector loop would be cut off before it closes
            // its connections. Closing them is what the idle benchmark watches the server for.
            stdinClosed = true;
            wakeUp();
        });
    }

    private static void wakeUp() {
        Selector current = selector;
        if (current != null) {
            current.wakeup();
        }
    }

    /**
     * Reads every connection until it is time to leave: standard input closed, the deadline
     * (a {@link System#nanoTime()} value) passed, every connection closed by the server, or
     * every push recorded on every connection.
     */
    void listen(Selector selector, long deadline) throws IOException {
        Audience.selector = selector;
        for (int i = 0; i < channels.length; i++) {
            channels[i].register(selector, SelectionKey.OP_READ, i);
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        long wanted = (long) arrivals.length * channels.length;
        try {
            while (!stdinClosed && open > 0 && (wanted == 0 || recorded < wanted)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    System.err.println("Audience: time limit reached with " + recorded + " of " + wanted + " arrivals recorded");
                    return;
                }
                if (selector.select(Math.max(1, Math.min(left / 1_000_000, 1000))) == 0) {
                    continue;
                }
                wakeUps++;
                reads += selector.selectedKeys().size();
                for (SelectionKey key : selector.selectedKeys()) {
                    read(key, buffer);
                }
                selector.selectedKeys().clear();
            }
        } finally {
            cpuAtEnd = cpuTime();
        }
    }

    private static long cpuTime() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void read(SelectionKey key, ByteBuffer buffer) throws IOException {
        int index = (Integer) key.attachment();
        buffer.clear();
        int n;
        try {
            n = channels[index].read(buffer);
        } catch (IOException reset) {
            n = -1;
        }
        // One clock read per read, not per line: lines read together arrived together.
        long now = System.nanoTime();
        if (n < 0) {
            key.cancel();
            open--;
            return;
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (b == '\n') {
                line(index, now);
                partialLength[index] = 0;
            } else if (partialLength[index] < MAX_LINE) {
                if (partial[index] == null) {
                    partial[index] = new byte[MAX_LINE];
                }
                partial[index][partialLength[index]++] = b;
            }
        }
    }

    /** The delays recorded: {@code [push][connection]}, in nanoseconds, -1 where the push never came. */
    long[][] arrivals() {
        return arrivals;
    }

    /** A whole line from connection {@code index}: a push {@code SEQ NANOS} is recorded, anything else ignored. */
    private void line(int index, long now) {
        String text = new String(partial[index], 0, partialLength[index], US_ASCII);
        int space = text.indexOf(' ');
        if (space < 0) {
            return;
        }
        try {
            int seq = Integer.parseInt(text, 0, space, 10);
            long sent = Long.parseLong(text, space + 1, text.length(), 10);
            if (seq >= 0 && seq < arrivals.length && arrivals[seq][index] == NOT_ARRIVED) {
                arrivals[seq][index] = now - sent;
                if (recorded++ == 0) {
                    cpuAtFirst = cpuTime();
                }
            }
        } catch (NumberFormatException notAPush) {
            // An echo of something else, or a greeting: not ours to time.
        }
    }

    /**
     * Writes the record: a line {@code pushes P connections K cpu NANOS reads R wakeups W},
     * then one line per push with each connection's delay in nanoseconds, -1 where the push
     * never came. NANOS is the CPU time this process spent from the first push's arrival until
     * it stopped listening, -1 if none came: what reading the pushes cost the clients. R and W
     * count reads and the selector wake-ups that found input.
     */
    private void write(Path file) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
            out.println("pushes " + arrivals.length + " connections " + channels.length + " cpu "
                    + (cpuAtFirst < 0 ? -1 : cpuAtEnd - cpuAtFirst) + " reads " + reads + " wakeups " + wakeUps);
            StringBuilder line = new StringBuilder();
            for (long[] push : arrivals) {
                line.setLength(0);
                for (int i = 0; i < push.length; i++) {
                    line.append(i == 0 ? "" : " ").append(push[i]);
                }
                out.println(line);
            }
        }
    }

    /** The command line, checked. */
    record Options(int port, int count, InetAddress from, Duration limit, int pushes, Path record, String websocket) {

        static Options parse(String[] args) {
            if (args.length < 2) {
                throw new IllegalArgumentException("PORT and COUNT are required");
            }
            int port = number(args[0], "PORT", 1, 65535);
            int count = number(args[1], "COUNT", 1, 19_000);
            InetAddress from = null;
            Duration limit = Duration.ofSeconds(600);
            int pushes = 0;
            Path record = null;
            String websocket = null;
            for (int i = 2; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--from" -> {
                        try {
                            from = InetAddress.getByName(value);
                        } catch (IOException e) {
                            throw new IllegalArgumentException("--from " + value + " is not an address, e.g. 127.0.0.2");
                        }
                        if (!from.isLoopbackAddress()) {
                            throw new IllegalArgumentException("--from " + value + " is not a loopback address; this load"
                                    + " stays on the machine: use 127.0.0.2, 127.0.0.3 …");
                        }
                    }
                    case "--seconds" -> limit = Duration.ofSeconds(number(value, "--seconds", 1, 3600));
                    case "--pushes" -> pushes = number(value, "--pushes", 0, 100_000);
                    case "--record" -> record = Path.of(value);
                    case "--websocket" -> {
                        if (!value.startsWith("/")) {
                            throw new IllegalArgumentException("--websocket takes the endpoint's path, e.g. /echo, not " + value);
                        }
                        websocket = value;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if ((pushes > 0) != (record != null)) {
                throw new IllegalArgumentException("--pushes and --record go together");
            }
            return new Options(port, count, from, limit, pushes, record, websocket);
        }

        private static int number(String text, String name, int min, int max) {
            try {
                int n = Integer.parseInt(text);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException notANumber) {
                // Said below.
            }
            throw new IllegalArgumentException(name + " must be a number from " + min + " to " + max + ", not \"" + text + "\"");
        }
    }
}
