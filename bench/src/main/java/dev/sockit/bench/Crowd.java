package dev.sockit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Many client connections in one process, for the scale benchmarks: opens them, says
 * {@code ready}, and holds them until its standard input closes or its time runs out.
 *
 * <pre>
 * java -cp ... dev.sockit.bench.Crowd PORT CONNECTIONS SOURCE_ADDRESS SECONDS [REPEATS]
 * </pre>
 *
 * Held idle, they send nothing (bench/idle.sh). With REPEATS, each connection also expects
 * that many pushed lines {@code b SEQ} (bench's {@link Broadcast}) and records when each
 * arrived, by {@link System#nanoTime()}, which on Linux is the machine's monotonic clock,
 * shared by every process; at the end it prints one line per SEQ: {@code SEQ t1 t2 ...}.
 *
 * <p>One selector thread reads every connection, so the crowd costs the machine little and
 * is quick to answer. A separate process because the hard limit is 20,000 open files per
 * process: the server's side of each connection needs one too. SOURCE_ADDRESS (127.0.0.2,
 * 127.0.0.3, ...) gives each crowd its own 28,000 ephemeral ports, so closed connections
 * waiting out TIME_WAIT from an earlier run do not run a later one out of ports.
 */
public final class Crowd {

    private static final String USAGE = "usage: Crowd PORT CONNECTIONS SOURCE_ADDRESS SECONDS [REPEATS]";

    private final SocketChannel[] channels;
    private final long[][] arrivals; // [seq][connection], 0 until it arrived
    private final int[] partial;     // per connection: the SEQ digits read so far, -1 outside a line
    private static volatile boolean done;

    private Crowd(int connections, int repeats) {
        this.channels = new SocketChannel[connections];
        this.arrivals = new long[repeats][connections];
        this.partial = new int[connections];
        Arrays.fill(partial, -1);
    }

    /** Opens the connections, holds them, exits 0; 2 on bad arguments, 1 if a connection fails. */
    public static void main(String[] args) throws Exception {
        if (args.length < 4 || args.length > 5) {
            System.err.println(USAGE);
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        String source = args[2];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        int repeats = args.length == 5 ? Integer.parseInt(args[4]) : 0;
        Crowd crowd = new Crowd(connections, repeats);
        try (Selector selector = Selector.open()) {
            crowd.connect(selector, new InetSocketAddress("127.0.0.1", port), source);
            System.out.println("ready " + connections);
            System.out.flush();
            Thread.ofPlatform().daemon().start(() -> awaitEndOfInput(System.in, selector));
            crowd.hold(selector, deadline);
        } catch (IOException e) {
            System.err.println("crowd: " + e.getMessage());
            System.exit(1);
        }
        crowd.report(System.out);
        for (SocketChannel channel : crowd.channels) {
            if (channel != null) {
                channel.close();
            }
        }
    }

    private void connect(Selector selector, InetSocketAddress server, String source) throws IOException {
        InetSocketAddress local = new InetSocketAddress(source, 0);
        for (int i = 0; i < channels.length; i++) {
            SocketChannel channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.bind(local);
            try {
                channel.connect(server);
            } catch (IOException e) {
                throw new IOException("connection " + (i + 1) + " of " + channels.length + " to " + server + " from "
                        + source + " failed: " + e.getMessage(), e);
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, i);
            channels[i] = channel;
        }
    }

    // Ends the hold when whoever started the crowd closes its standard input (or dies).
    private static void awaitEndOfInput(InputStream in, Selector selector) {
        try {
            while (in.read() >= 0) {
                // Nothing to read but the end.
            }
        } catch (IOException ignored) {
            // Gone either way.
        }
        done = true;
        selector.wakeup();
    }

    private void hold(Selector selector, long deadline) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        while (!done && System.nanoTime() < deadline) {
            long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            if (selector.select(waitMillis) == 0) {
                continue;
            }
            long now = System.nanoTime();
            for (SelectionKey key : selector.selectedKeys()) {
                int connection = (Integer) key.attachment();
                buffer.clear();
                int n;
                try {
                    n = ((SocketChannel) key.channel()).read(buffer);
                } catch (IOException reset) {
                    n = -1;
                }
                if (n < 0) {
                    key.cancel();
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    take(connection, buffer.get(i), now);
                }
            }
            selector.selectedKeys().clear();
        }
    }

    // Parses "b SEQ\n" byte by byte, so a line split across reads is still whole.
    private void take(int connection, byte b, long now) {
        if (b == 'b') {
            partial[connection] = 0;
        } else if (b >= '0' && b <= '9' && partial[connection] >= 0) {
            partial[connection] = partial[connection] * 10 + (b - '0');
        } else if (b == '\n' && partial[connection] >= 0) {
            int seq = partial[connection];
            partial[connection] = -1;
            if (seq < arrivals.length && arrivals[seq][connection] == 0) {
                arrivals[seq][connection] = now;
            }
        }
    }

    private void report(PrintStream out) {
        StringBuilder line = new StringBuilder();
        for (int seq = 0; seq < arrivals.length; seq++) {
            line.setLength(0);
            line.append(seq);
            for (long t : arrivals[seq]) {
                line.append(' ').append(t);
            }
            out.println(line);
        }
        out.flush();
    }
}
