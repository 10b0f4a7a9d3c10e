package dev.sockit.bench;

import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Heartbeat;
import dev.sockit.Message;
import dev.sockit.Server;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A stream of distinct pushes to each connection, as fast as the server can write them, for
 * bench/push-stream.sh: the case a broadcast's shared frame ({@code SharedFrame}) does nothing
 * for, since no two connections are sent the same message, and where it could cost.
 *
 * <pre>
 * java -cp ... dev.sockit.bench.PushStream serve CONNS PUSHES SIZE PHASES
 * java -cp ... dev.sockit.bench.PushStream read PORT CONNS PUSHES PHASES
 * </pre>
 *
 * The server (core's {@code Server}, lines, heartbeat off) waits for CONNS connections, then
 * in each of PHASES phases sends PUSHES distinct lines of SIZE bytes (newline included) to
 * every connection, each connection from a platform thread of its own through
 * {@link Connection#send} (so through the connection's outbox and drainer, as every push
 * goes), and waits until every reader has answered {@code done}. It prints, per phase,
 * {@code phase N MSGS ELAPSED_NANOS CPU_NANOS ALLOCATED_BYTES COLLECTIONS}: wall time from the
 * first push to the last {@code done}, the process's CPU time and heap allocated in that time
 * (the JVM's own count, all threads), and young and old collections. The reader, in another
 * process, checks that every line is the next one its connection was sent, and answers
 * {@code done} after each phase's PUSHES lines. Every wait is bounded (60 s a phase).
 */
public final class PushStream {

    private static final String USAGE = "usage: PushStream serve CONNS PUSHES SIZE PHASES | read PORT CONNS PUSHES PHASES";
    private static final long PHASE_DEADLINE_SECONDS = 60;

    private PushStream() {}

    /** Runs one side; exits 2 on bad arguments, 1 when a phase fails or times out. */
    public static void main(String[] args) throws Exception {
        int[] n;
        try {
            if (args.length != 5 || !(args[0].equals("serve") || args[0].equals("read"))) {
                throw new IllegalArgumentException("serve or read, then four numbers");
            }
            n = new int[4];
            for (int i = 0; i < 4; i++) {
                n[i] = Integer.parseInt(args[i + 1]);
                if (n[i] < 1) {
                    throw new IllegalArgumentException("every number must be at least 1, not " + n[i]);
                }
            }
            if (args[0].equals("serve") && n[2] < 16) {
                throw new IllegalArgumentException("SIZE must be at least 16 bytes (the sequence number and the newline), not " + n[2]);
            }
        } catch (IllegalArgumentException e) { // NumberFormatException too
            System.err.println("PushStream: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        int failed = args[0].equals("serve") ? serve(n[0], n[1], n[2], n[3]) : read(n[0], n[1], n[2], n[3]);
        System.exit(failed);
    }

    private static int serve(int conns, int pushes, int size, int phases) throws Exception {
        ConcurrentLinkedQueue<Connection> arrived = new ConcurrentLinkedQueue<>();
        Semaphore done = new Semaphore(0);
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"))
                .heartbeat(Heartbeat.OFF)
                .handler(connection -> {
                    arrived.add(connection);
                    // The reader waits here, as a listener's does: the connection is quiet.
                    while (connection.receive() != null) {
                        done.release();
                    }
                })
                .start()) {
            System.out.println("listening on " + server.port() + " (pid " + ProcessHandle.current().pid() + ")");
            System.out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PHASE_DEADLINE_SECONDS);
            while (arrived.size() < conns) {
                if (System.nanoTime() > deadline) {
                    System.err.println("PushStream: only " + arrived.size() + " of " + conns + " readers connected in "
                            + PHASE_DEADLINE_SECONDS + " s; is PushStream read running against port " + server.port() + "?");
                    return 1;
                }
                Thread.sleep(10);
            }
            List<Connection> connections = new ArrayList<>(arrived);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            for (int phase = 0; phase < phases; phase++) {
                long cpu = os.getProcessCpuTime();
                long allocated = threads.getTotalThreadAllocatedBytes();
                long collections = collections();
                long started = System.nanoTime();
                CountDownLatch pushed = new CountDownLatch(conns);
                long first = (long) phase * pushes;
                for (Connection connection : connections) {
                    Thread.ofPlatform().name("pusher-" + connection.id()).start(() -> {
                        try {
                            push(connection, first, pushes, size);
                        } catch (IOException e) {
                            System.err.println("PushStream: a push to " + connection + " failed: " + e.getMessage());
                        } finally {
                            pushed.countDown();
                        }
                    });
                }
                if (!done.tryAcquire(conns, PHASE_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                    System.err.println("PushStream: phase " + phase + ": " + done.availablePermits() + " of " + conns
                            + " readers had all " + pushes + " lines after " + PHASE_DEADLINE_SECONDS + " s");
                    return 1;
                }
                long elapsed = System.nanoTime() - started;
                pushed.await(PHASE_DEADLINE_SECONDS, TimeUnit.SECONDS);
                System.out.println("phase " + phase + " " + (long) conns * pushes + " " + elapsed + " "
                        + (os.getProcessCpuTime() - cpu) + " " + (threads.getTotalThreadAllocatedBytes() - allocated) + " "
                        + (collections() - collections));
                System.out.flush();
            }
        }
        return 0;
    }

    // Each line is its sequence number, padded to SIZE - 1 bytes, then the newline: distinct messages.
    private static void push(Connection connection, long first, int pushes, int size) throws IOException {
        byte[] line = new byte[size - 1];
        java.util.Arrays.fill(line, (byte) 'x');
        for (long seq = first; seq < first + pushes; seq++) {
            byte[] digits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, line, 0, digits.length);
            line[digits.length] = ' ';
            connection.send(Message.of(line)); // copies the bytes: the next line may reuse the array
        }
    }

    private static long collections() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    private static int read(int port, int conns, int pushes, int phases) throws Exception {
        List<Thread> readers = new ArrayList<>();
        int[] failures = new int[1];
        for (int i = 0; i < conns; i++) {
            var channel = java.nio.channels.SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            readers.add(Thread.ofPlatform().name("reader-" + i).start(() -> {
                try (channel) {
                    readAll(channel, pushes, phases);
                } catch (IOException | RuntimeException e) {
                    System.err.println("PushStream read: " + e.getMessage());
                    synchronized (failures) {
                        failures[0]++;
                    }
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PHASE_DEADLINE_SECONDS * (phases + 1));
        for (Thread reader : readers) {
            reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (reader.isAlive()) {
                System.err.println("PushStream read: " + reader.getName() + " still reading at the deadline");
                return 1;
            }
        }
        synchronized (failures) {
            return failures[0] == 0 ? 0 : 1;
        }
    }

    // Counts lines and checks each starts with the next sequence number; answers done after each phase.
    private static void readAll(java.nio.channels.SocketChannel channel, int pushes, int phases) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(256 * 1024);
        ByteBuffer answer = ByteBuffer.wrap("done\n".getBytes(StandardCharsets.US_ASCII));
        long expected = 0;      // the sequence number of the line being read
        long digits = 0;        // its leading number so far
        boolean inNumber = true;
        long phaseEnd = pushes;
        while (expected < (long) pushes * phases) {
            in.clear();
            if (channel.read(in) < 0) {
                throw new IOException("the server closed the connection after " + expected + " of "
                        + (long) pushes * phases + " lines");
            }
            byte[] a = in.array();
            for (int i = 0, end = in.position(); i < end; i++) {
                byte b = a[i];
                if (b == '\n') {
                    if (digits != expected) {
                        throw new IOException("line " + expected + " was line " + digits + ": a push arrived out of order,"
                                + " twice, or another connection's");
                    }
                    expected++;
                    digits = 0;
                    inNumber = true;
                    if (expected == phaseEnd) {
                        answer.rewind();
                        while (answer.hasRemaining()) {
                            channel.write(answer);
                        }
                        phaseEnd += pushes;
                    }
                } else if (inNumber && b >= '0' && b <= '9') {
                    digits = digits * 10 + (b - '0');
                } else {
                    inNumber = false;
                }
            }
        }
    }
}
