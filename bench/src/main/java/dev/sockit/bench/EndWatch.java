package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * One client process of bench/stop.sh: holds {@code COUNT} TCP connections to a line server
 * (echo) on loopback and times how each one ends when the server stops.
 *
 * <pre>
 * java -cp ... dev.sockit.bench.EndWatch PORT COUNT --record FILE [--from 127.0.0.2] [--seconds 300]
 *                                        [--mid K] [--unread K] [--hold]
 * </pre>
 *
 * <p>Of the connections, the first {@code --mid K} send half a line ({@code partial}, no
 * newline: a message the stop must drop, not answer) and the next {@code --unread K} send a
 * whole one ({@code hello}), whose echo is then left unread in our receive buffer until the
 * stop; the rest send nothing. Once all are connected it says {@code ready COUNT} on stdout
 * and reads every connection but the unread ones. When a line {@code go} comes on stdin (the script's signal
 * that the stop begins) it reads those too. Each connection's end is recorded as it is read:
 * {@code fin} (a read returned -1, the server's end of stream) or {@code reset} (the read
 * failed: "connection reset"), with the wall-clock time in microseconds since the epoch
 * ({@link Instant#now()}, the clock {@code date +%s%N} reads), the bytes read before it, and
 * whether the unread echo was among them.
 *
 * <p>After a {@code fin} the connection is closed, as a client that reads the end does
 * ({@code sockit client}, {@code nc}); with {@code --hold} it is kept open until the process
 * leaves, as a peer that never closes, so the server's close waits out its linger.
 *
 * <p>Once every connection has ended it says {@code ended COUNT}, and holds on until stdin
 * closes (or the time limit passes), so that a script can reap it after the server; then it
 * closes what it holds and writes the record (a line {@code END MICROS BYTES ECHOED} per connection,
 * END one of fin, reset, open) and says {@code left: fin F reset R open O}.
 */
public final class EndWatch {

    private static final String USAGE = "usage: EndWatch PORT COUNT --record FILE [--from ADDRESS] [--seconds S]"
            + " [--mid K] [--unread K] [--hold]   e.g. EndWatch 9151 5000 --record ends.txt --from 127.0.0.2";
    private static final byte[] PARTIAL = "partial".getBytes(US_ASCII);
    private static final byte[] HELLO = "hello\n".getBytes(US_ASCII);

    private static volatile boolean go;
    private static volatile boolean stdinClosed;
    private static volatile Selector selector;

    private enum End { open, fin, reset }

    private final SocketChannel[] channels;
    private final int unreadFrom;
    private final int unreadTo;
    private final boolean hold;
    private final End[] ends;
    private final long[] endMicros;
    private final long[] bytes;
    // Per connection, how much of "hello\n" arrived in order (an unread one's echo): 6 when all.
    private final byte[] echoed;
    private int open;

    private EndWatch(SocketChannel[] channels, int unreadFrom, int unreadTo, boolean hold) {
        this.channels = channels;
        this.unreadFrom = unreadFrom;
        this.unreadTo = unreadTo;
        this.hold = hold;
        this.ends = new End[channels.length];
        java.util.Arrays.fill(ends, End.open);
        this.endMicros = new long[channels.length];
        this.bytes = new long[channels.length];
        this.echoed = new byte[channels.length];
        this.open = channels.length;
    }

    public static void main(String[] args) throws IOException {
        int port = 0, count = 0, mid = 0, unread = 0, seconds = 300;
        InetAddress from = null;
        Path record = null;
        boolean hold = false;
        try {
            if (args.length < 2) {
                throw new IllegalArgumentException("PORT and COUNT are required");
            }
            port = number(args[0], "PORT", 1, 65535);
            count = number(args[1], "COUNT", 1, 19_000);
            for (int i = 2; i < args.length; i++) {
                switch (args[i]) {
                    case "--hold" -> hold = true;
                    case "--from" -> from = InetAddress.getByName(value(args, ++i));
                    case "--seconds" -> seconds = number(value(args, ++i), "--seconds", 1, 3600);
                    case "--mid" -> mid = number(value(args, ++i), "--mid", 0, 19_000);
                    case "--unread" -> unread = number(value(args, ++i), "--unread", 0, 19_000);
                    case "--record" -> record = Path.of(value(args, ++i));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (record == null) {
                throw new IllegalArgumentException("--record FILE is required");
            }
            if (mid + unread > count) {
                throw new IllegalArgumentException("--mid " + mid + " and --unread " + unread + " are more than COUNT " + count);
            }
            if (from != null && !from.isLoopbackAddress()) {
                throw new IllegalArgumentException("--from " + from.getHostAddress() + " is not a loopback address");
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("EndWatch: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        watchStandardInput();
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        InetSocketAddress source = from == null ? null : new InetSocketAddress(from, 0);
        SocketChannel[] channels = new SocketChannel[count];
        try {
            for (int i = 0; i < count; i++) {
                if (System.nanoTime() > deadline || stdinClosed) {
                    throw new IOException("only " + i + " of " + count + " connections were open when "
                            + (stdinClosed ? "standard input closed" : "the time limit passed"));
                }
                SocketChannel channel = SocketChannel.open();
                channels[i] = channel;
                if (source != null) {
                    channel.bind(source);
                }
                channel.connect(server);
                channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                if (i < mid) {
                    channel.write(ByteBuffer.wrap(PARTIAL));
                } else if (i < mid + unread) {
                    channel.write(ByteBuffer.wrap(HELLO));
                }
                channel.configureBlocking(false);
            }
        } catch (IOException e) {
            System.err.println("EndWatch: connecting to " + server + (source == null ? "" : " from " + from.getHostAddress())
                    + ": " + e.getMessage());
            for (SocketChannel channel : channels) {
                if (channel != null) {
                    channel.close();
                }
            }
            System.exit(1);
            return;
        }
        EndWatch watch = new EndWatch(channels, mid, mid + unread, hold);
        System.out.println("ready " + count);
        System.out.flush();
        try (Selector opened = Selector.open()) {
            watch.listen(opened, deadline);
            // Every end read: say so, and hold (with --hold, the sockets too) until told to leave,
            // so that the script reaps this process, and its CPU time, only after the server's.
            System.out.println("ended " + (count - watch.open));
            System.out.flush();
            while (!stdinClosed && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(10_000_000);
            }
        } finally {
            for (SocketChannel channel : channels) {
                channel.close();
            }
        }
        watch.write(record);
        int fin = 0, reset = 0;
        for (End end : watch.ends) {
            fin += end == End.fin ? 1 : 0;
            reset += end == End.reset ? 1 : 0;
        }
        System.out.println("left: fin " + fin + " reset " + reset + " open " + (count - fin - reset));
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
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

    /** "go" on stdin: the stop begins, read the unread ones too; stdin's end: leave. */
    private static void watchStandardInput() {
        Thread.ofPlatform().daemon(true).name("stdin").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, US_ASCII))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.trim().equals("go")) {
                        go = true;
                        wakeUp();
                    }
                }
            } catch (IOException ignored) {
                // A broken stdin is a closed one.
            }
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

    private void listen(Selector opened, long deadline) throws IOException {
        selector = opened;
        for (int i = 0; i < channels.length; i++) {
            if (i < unreadFrom || i >= unreadTo) {
                channels[i].register(opened, SelectionKey.OP_READ, i);
            }
        }
        boolean unreadRegistered = unreadFrom == unreadTo;
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        while (!stdinClosed && open > 0) {
            if (go && !unreadRegistered) {
                for (int i = unreadFrom; i < unreadTo; i++) {
                    channels[i].register(opened, SelectionKey.OP_READ, i);
                }
                unreadRegistered = true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                System.err.println("EndWatch: time limit reached with " + open + " connections not ended");
                return;
            }
            if (opened.select(Math.max(1, Math.min(left / 1_000_000, 1000))) == 0) {
                continue;
            }
            for (SelectionKey key : opened.selectedKeys()) {
                read(key, buffer);
            }
            opened.selectedKeys().clear();
        }
    }

    private void read(SelectionKey key, ByteBuffer buffer) throws IOException {
        int i = (Integer) key.attachment();
        buffer.clear();
        int n;
        End end = null;
        try {
            n = channels[i].read(buffer);
            if (n < 0) {
                end = End.fin;
            }
        } catch (IOException reset) {
            n = -1;
            end = End.reset;
        }
        if (end != null) {
            Instant now = Instant.now();
            endMicros[i] = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
            ends[i] = end;
            open--;
            key.cancel();
            if (!hold || end == End.reset) {
                channels[i].close();
            }
            return;
        }
        bytes[i] += n;
        for (int k = 0; k < n && echoed[i] < HELLO.length; k++) {
            echoed[i] = buffer.get(k) == HELLO[echoed[i]] ? (byte) (echoed[i] + 1) : echoed[i];
        }
    }

    /** One line per connection: {@code END MICROS BYTES ECHOED KIND}, KIND idle, mid or unread. */
    private void write(Path file) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
            for (int i = 0; i < channels.length; i++) {
                String kind = i < unreadFrom ? "mid" : i < unreadTo ? "unread" : "idle";
                out.println(ends[i] + " " + endMicros[i] + " " + bytes[i] + " " + (echoed[i] == HELLO.length ? 1 : 0) + " " + kind);
            }
        }
    }
}
