package dev.sockit.cli.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A bulk transfer to a discard server, measured as iperf3 measures one: every connection is
 * opened first, then each gets a platform thread of its own that writes one direct buffer of
 * {@code --size} bytes (128 KiB by default, iperf3's length) to its blocking socket over and
 * over until the run ends, and the bytes the server's socket took in the measured window are
 * reported in Gbit/s and MB/s.
 *
 * <pre>{@code
 * BulkResult result = new BulkSender(settings).run(System.err::println);
 * System.out.print(Report.text(result));
 * }</pre>
 *
 * <p>What is counted is what each {@code write} handed to the kernel. Once the transfer runs
 * steadily the socket buffers between the two ends are as full at the end of the window as at
 * its start, so this equals what the server read in the window, to within those buffers (a few
 * MB, against gigabytes a second). Nothing is copied per write: the JDK hands a direct buffer to
 * {@code write(2)} as it is, and a blocking write takes the whole chunk in one call.
 */
public final class BulkSender {

    private static final long PROGRESS_INTERVAL = TimeUnit.SECONDS.toNanos(1);
    // A writer still blocked this long after the end has a server that stopped reading: its
    // socket is closed under it, which ends the write.
    private static final long STOP_GRACE_MILLIS = 2_000;
    // Of what a discard server should never have sent, this much is shown.
    private static final int SERVER_WORDS = 200;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final BenchSettings settings;

    /** A sender for one run of {@code settings}, whose mode is {@link Mode#DISCARD}. */
    public BulkSender(BenchSettings settings) {
        if (!settings.bulk()) {
            throw new IllegalArgumentException("a bulk transfer needs --mode discard, not --mode " + settings.mode());
        }
        this.settings = settings;
    }

    /**
     * Connects, writes through the warmup and the measured window, and reports.
     *
     * @param progress takes one line each second: elapsed time, Gbit/s and MB/s in that second
     * @throws java.net.ConnectException saying why a connection could not be opened, e.g. refused
     * @throws IOException               when the machine cannot take the connections (file limit)
     *                                   or a {@code --server-pid} cannot be read
     */
    public BulkResult run(Consumer<String> progress) throws IOException {
        LoadGenerator connector = new LoadGenerator(settings);
        connector.checkDescriptors();
        if (settings.serverPid() > 0) {
            ProcessCpu.of(settings.serverPid()); // fail now, not after the run
        }
        List<SocketChannel> channels = connector.connectAll();
        List<Writer> writers = new ArrayList<>(channels.size());
        CountDownLatch finished = new CountDownLatch(channels.size());
        Timeline timeline = Timeline.from(System.nanoTime(), settings);
        try {
            ByteBuffer chunk = chunk(settings.size());
            for (int i = 0; i < channels.size(); i++) {
                SocketChannel channel = channels.get(i);
                channel.configureBlocking(true);
                writers.add(new Writer(i + 1, channel, chunk.duplicate(), timeline.endAt(), finished));
            }
        } catch (IOException | RuntimeException e) {
            channels.forEach(LoadGenerator::closeQuietly);
            throw e;
        }
        for (Writer writer : writers) {
            writer.thread = Thread.ofPlatform().name("sockit-bench-writer-" + writer.id).start(writer);
        }
        try {
            return coordinate(timeline, writers, finished, progress);
        } finally {
            channels.forEach(LoadGenerator::closeQuietly);
        }
    }

    /** One chunk of printable bytes without a newline, shared read-only by every writer. */
    private static ByteBuffer chunk(int size) {
        byte[] alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(UTF_8);
        ByteBuffer chunk = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            chunk.put(i, alphabet[i % alphabet.length]);
        }
        return chunk.asReadOnlyBuffer();
    }

    private BulkResult coordinate(Timeline timeline, List<Writer> writers, CountDownLatch finished,
            Consumer<String> progress) throws IOException {
        Snapshot atMeasure = null;
        Snapshot atEnd;
        long lastBytes = 0;
        long lastProgressAt = timeline.startAt();
        long nextProgressAt = timeline.startAt() + PROGRESS_INTERVAL;
        for (;;) {
            long now = System.nanoTime();
            if (atMeasure == null && now >= timeline.measureAt()) {
                atMeasure = snapshot(writers);
            }
            if (now >= timeline.endAt() || finished.getCount() == 0) {
                atEnd = snapshot(writers);
                if (atMeasure == null) { // every writer failed during the warmup
                    atMeasure = atEnd;
                }
                break;
            }
            if (now >= nextProgressAt) {
                long bytes = written(writers);
                double seconds = (now - lastProgressAt) / 1e9;
                progress.accept(String.format(Locale.ROOT, "%6.1fs  %8.2f Gbit/s  %,10.1f MB/s%s",
                        (nextProgressAt - timeline.startAt()) / 1e9, (bytes - lastBytes) * 8 / seconds / 1e9,
                        (bytes - lastBytes) / seconds / 1e6, lastProgressAt < timeline.measureAt() ? "  (warmup)" : ""));
                lastBytes = bytes;
                lastProgressAt = now;
                nextProgressAt += PROGRESS_INTERVAL;
            }
            long wake = Math.min(nextProgressAt, timeline.endAt());
            if (atMeasure == null) {
                wake = Math.min(wake, timeline.measureAt());
            }
            try {
                finished.await(Math.max(0, wake - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the transfer was running");
            }
        }
        stop(writers);
        return result(atMeasure, atEnd, writers);
    }

    /** Waits for each writer to finish its last write; closes the socket under one the server no longer reads. */
    private static void stop(List<Writer> writers) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS);
        for (Writer writer : writers) {
            try {
                writer.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (writer.thread.isAlive()) {
                    writer.stalled = true;
                    LoadGenerator.closeQuietly(writer.channel);
                    writer.thread.join(STOP_GRACE_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the transfer was stopping");
            }
            if (writer.thread.isAlive()) {
                throw new IOException(writer.thread.getName() + " did not stop within " + 2 * STOP_GRACE_MILLIS
                        + " ms of the end of the run; this is a bug in sockit bench");
            }
        }
    }

    private BulkResult result(Snapshot atMeasure, Snapshot atEnd, List<Writer> writers) {
        double seconds = Math.max(0, atEnd.at - atMeasure.at) / 1e9;
        long lost = 0;
        String firstError = null;
        String serverSaid = null;
        double busiest = -1;
        for (int i = 0; i < writers.size(); i++) {
            Writer writer = writers.get(i);
            if (writer.failure != null) {
                lost++;
                if (firstError == null) {
                    firstError = "connection " + writer.id + " after " + String.format(Locale.ROOT, "%,d", writer.written)
                            + " bytes: " + EventLoop.describe(writer.failure);
                }
            }
            if (serverSaid == null && !writer.stalled) {
                serverSaid = unexpectedReply(writer.channel);
            }
            long cpu = ProcessCpu.delta(atMeasure.threadCpu[i], atEnd.threadCpu[i]);
            if (cpu >= 0 && seconds > 0) {
                busiest = Math.max(busiest, cpu / 1e9 / seconds);
            }
        }
        return new BulkResult(settings, seconds, atEnd.bytes - atMeasure.bytes, lost, firstError, serverSaid,
                ProcessCpu.delta(atMeasure.ownCpu, atEnd.ownCpu), busiest,
                ProcessCpu.delta(atMeasure.serverCpu, atEnd.serverCpu),
                ProcessCpu.delta(atMeasure.machineBusy, atEnd.machineBusy),
                ProcessCpu.delta(atMeasure.steal, atEnd.steal));
    }

    /**
     * What the server sent, which a discard server never does: a lines server's "line too long"
     * error, say. Read without waiting, once the writers have stopped; null when nothing came.
     */
    private static String unexpectedReply(SocketChannel channel) {
        if (!channel.isOpen()) {
            return null;
        }
        ByteBuffer words = ByteBuffer.allocate(SERVER_WORDS);
        try {
            channel.configureBlocking(false);
            int n = channel.read(words);
            if (n <= 0) {
                return null;
            }
        } catch (IOException e) {
            if (words.position() == 0) {
                return null; // reset, with nothing said before
            }
        }
        String text = new String(words.array(), 0, words.position(), UTF_8).strip();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline).strip();
    }

    private Snapshot snapshot(List<Writer> writers) {
        long[] threadCpu = new long[writers.size()];
        for (int i = 0; i < writers.size(); i++) {
            Writer writer = writers.get(i);
            threadCpu[i] = threadCpu(writer.thread);
            if (threadCpu[i] < 0) {
                threadCpu[i] = writer.cpuAtExit; // it ended just now, after its last write
            }
        }
        long bytes = written(writers);
        long at = System.nanoTime();
        return new Snapshot(at, bytes, threadCpu, ProcessCpu.own(), ProcessCpu.ofServer(settings.serverPid()),
                ProcessCpu.machineBusy(), ProcessCpu.machineSteal());
    }

    private static long written(List<Writer> writers) {
        long bytes = 0;
        for (Writer writer : writers) {
            bytes += writer.written;
        }
        return bytes;
    }

    /** A thread's CPU time in nanoseconds; -1 once it has ended, or if the JVM cannot tell. */
    private static long threadCpu(Thread thread) {
        try {
            return THREADS.getThreadCpuTime(thread.threadId());
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    private static long ownCpu() {
        try {
            return THREADS.getCurrentThreadCpuTime();
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }



    /** Totals at one instant: bytes written by every writer, CPU time of each writer, the process, the server, the machine. */
    private record Snapshot(long at, long bytes, long[] threadCpu, long ownCpu, long serverCpu, long machineBusy,
            long steal) {}

    /** One connection's write loop, on a platform thread of its own. */
    private static final class Writer implements Runnable {

        final int id;
        final SocketChannel channel;
        private final ByteBuffer chunk;
        private final long endAt;
        private final CountDownLatch finished;
        Thread thread;
        // Written by this writer's thread only; read by the coordinator.
        volatile long written;
        volatile IOException failure;
        // Set by the coordinator when it had to close the socket under a blocked write.
        volatile boolean stalled;
        // This thread's CPU time as it ends, for a snapshot taken after it has: -1 until then.
        volatile long cpuAtExit = -1;

        Writer(int id, SocketChannel channel, ByteBuffer chunk, long endAt, CountDownLatch finished) {
            this.id = id;
            this.channel = channel;
            this.chunk = chunk;
            this.endAt = endAt;
            this.finished = finished;
        }

        @Override
        public void run() {
            long total = 0;
            try {
                while (System.nanoTime() < endAt) {
                    chunk.clear();
                    // A blocking write returns once the kernel has taken the whole chunk: one call per chunk.
                    do {
                        total += channel.write(chunk);
                        written = total;
                    } while (chunk.hasRemaining());
                }
            } catch (AsynchronousCloseException stoppedAtTheEnd) {
                // The coordinator closed the socket: the server had stopped reading. Not an error.
            } catch (IOException e) {
                failure = e;
            } finally {
                cpuAtExit = ownCpu();
                finished.countDown();
            }
        }
    }
}
