package dev.sockit.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * One platform thread with one selector driving a share of the connections until the
 * timeline ends. Counters and histograms are plain fields of this thread; the coordinating
 * thread sees totals through lazily published atomics and, once a second, a latency
 * histogram handed over whole, so recording a reply costs no atomic operation.
 *
 * <p>Nothing on the path of a message branches on whether the measured window has begun:
 * it counts by {@link #measuring(long)}, 0 or 1, and records into the histogram that
 * selects. The JIT compiles a loop during the warmup, and a branch not yet taken then
 * becomes a trap that, when measuring begins, throws the loop back into the interpreter
 * until it is compiled again: part of a pause of the generator of 3–20 ms at the start of
 * every measured window in 2026-12-05's open-loop runs; not all of it, which was still there
 * with no trap at all (docs/performance.md, "Where the open loop's one pause per run came
 * from"). The first hand-over of the progress histogram comes early in the warmup for the
 * same reason, though it may still come before the JIT profiles the loop.
 */
final class EventLoop implements Runnable {

    /** Latencies above this are recorded as this: ten minutes, far beyond any useful run. */
    static final long HIGHEST_LATENCY = TimeUnit.MINUTES.toNanos(10);

    private static final int READ_BUFFER = 64 * 1024;
    private static final long PUBLISH_INTERVAL = TimeUnit.SECONDS.toNanos(1);
    // The first hand-over comes this soon, so that its branch is taken while the JIT still profiles the loop.
    private static final long FIRST_PUBLISH = TimeUnit.MILLISECONDS.toNanos(20);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    final int index;
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    // WebSocket only: one read's replies with their frames' headers taken off; made on first use.
    private ByteBuffer frameBuffer;
    private final Timeline timeline;
    private final Selector selector;
    private final Connection[] connections;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final CountDownLatch finished;
    private int count;
    private int live;

    // Open loop: one schedule per loop, dealt to its connections in turn (tick m goes to
    // connection m % count as its request m / count), so a request's intended start time
    // follows from its number and needs no storing.
    private final boolean openLoop;
    private final boolean busyPoll;
    private final double tickNanos;
    private long tick;
    private long nextTickAt;
    private int turn;
    private final Connection[] dirty;
    private int dirtyCount;

    private Histogram interval = newIntervalHistogram();
    private final Histogram measured = newHistogram();
    // Replies are recorded into byWindow[measuring(now)]: the warmup's (never read) or the measured one.
    private final Histogram[] byWindow = {newHistogram(), measured};
    private final Queue<Histogram> outbox = new ConcurrentLinkedQueue<>();
    private final Queue<Histogram> spares = new ConcurrentLinkedQueue<>();
    private long nextPublishAt;

    private long replies;
    private long errors;
    private long measuredReplies;
    private long measuredBytesIn;
    private long measuredBytesOut;
    private long badReplies;
    private long unexpectedReplies;
    private long lostConnections;
    private String firstBadReply;
    private String firstLoss;
    private String failure;
    private long lagSum;
    private long lagCount;
    private long lagMax;
    // Where in the run the tail fell: per slot of the timeline (warmup included), the longest
    // latency of a reply that came in it and the longest lag of a request released in it.
    private final long[] slotLatency;
    private final long[] slotLag;
    private int slot;
    private long slotEndsAt;
    // Busy polling: time spent in iterations that handled something, in the measured window.
    private long workNanos;
    // Taken by the coordinating thread at the start of the measured window, not by this one (see the class comment).
    private long cpuAtMeasure = -1;
    private long cpuAtEnd = -1;
    private final AtomicLong publishedReplies = new AtomicLong();
    private final AtomicLong publishedErrors = new AtomicLong();

    // UDP only: requests time out as lost. The soonest a connection's oldest request does, or never.
    private boolean datagrams;
    private ByteBuffer datagramOut;
    private long nextExpiryAt = Long.MAX_VALUE;
    private long sentSoFar;
    private long lostSoFar;
    private long lateSoFar;
    private long measuredSent;
    private long measuredLost;
    private long measuredLate;
    private final AtomicLong publishedSent = new AtomicLong();
    private final AtomicLong publishedLost = new AtomicLong();
    private final AtomicLong publishedLate = new AtomicLong();

    /**
     * @param loopRate this loop's share of the open-loop rate in requests per second, 0 for closed loop
     */
    EventLoop(int index, int capacity, Timeline timeline, double loopRate, boolean busyPoll, CountDownLatch finished)
            throws IOException {
        this.index = index;
        this.timeline = timeline;
        this.selector = Selector.open();
        this.connections = new Connection[capacity];
        this.dirty = new Connection[capacity];
        this.finished = finished;
        this.openLoop = loopRate > 0;
        this.busyPoll = busyPoll;
        this.tickNanos = openLoop ? 1e9 / loopRate : 0;
        this.nextTickAt = timeline.startAt();
        this.nextPublishAt = timeline.startAt() + FIRST_PUBLISH;
        this.slotLatency = new long[timeline.slots()];
        this.slotLag = new long[timeline.slots()];
        this.slotEndsAt = timeline.startAt() + timeline.slotNanos();
    }

    static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_LATENCY, 3);
    }

    /**
     * The histograms handed over each second for the progress line: two significant digits,
     * eight times fewer buckets than {@link #newHistogram()}, so that the coordinating thread,
     * which shares the generator's CPU, adds and reads them in a fraction of the time.
     */
    static Histogram newIntervalHistogram() {
        return new Histogram(1, HIGHEST_LATENCY, 2);
    }

    /** 1 once the measured window has begun, else 0; arithmetic, not a branch (see the class comment). */
    private long measuring(long now) {
        return (timeline.measureAt() - 1 - now) >>> 63;
    }

    /** The buffer a WebSocket connection's replies are unframed into (see {@link FrameStripper}). */
    ByteBuffer frameBuffer() {
        if (frameBuffer == null) {
            frameBuffer = ByteBuffer.allocateDirect(FrameStripper.outputFor(READ_BUFFER));
        }
        return frameBuffer;
    }

    /** Adds a connected channel; called before the loop's thread starts. */
    void add(SocketChannel channel, int id, ByteBuffer sendBuffer, LinePattern requests, LinePattern expected,
            int depth, boolean websocket) throws IOException {
        LoadConnection connection = new LoadConnection(id, count, this, channel, sendBuffer, requests, expected,
                depth, openLoop, websocket);
        connection.register(selector);
        connections[count++] = connection;
        live++;
    }

    /** Adds a connected, non-blocking UDP channel; called before the loop's thread starts. */
    void addDatagram(DatagramChannel channel, int id, LinePattern requests, LinePattern expected, boolean echo,
            int depth, long lossTimeout) throws IOException {
        if (datagramOut == null) {
            datagramOut = ByteBuffer.allocateDirect(Math.max(1, requests.size()));
            datagrams = true;
        }
        DatagramLoadConnection connection = new DatagramLoadConnection(id, count, this, channel, datagramOut,
                requests, expected, echo, depth, openLoop, lossTimeout);
        connection.register(selector);
        connections[count++] = connection;
        live++;
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (IOException | RuntimeException e) {
            failure = "load thread " + index + " failed: " + e;
        } finally {
            cpuAtEnd = threadCpu();
            for (int i = 0; i < count; i++) {
                connections[i].close();
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // Every channel is closed already; the selector holds nothing more.
            }
            publishCounters();
            finished.countDown();
        }
    }

    private void loop() throws IOException {
        long now = System.nanoTime();
        if (!openLoop) {
            for (int i = 0; i < count; i++) {
                connections[i].issue(now);
            }
        }
        while (live > 0) {
            now = System.nanoTime();
            if (now >= timeline.endAt()) {
                break;
            }
            if (now >= nextPublishAt) {
                publishInterval(now);
            }
            boolean worked = openLoop && releaseDue(now);
            if (now >= nextExpiryAt) {
                expire(now);
                worked = true;
            }
            if (busyPoll) {
                worked |= selector.selectNow(onReady) > 0;
                if (worked) {
                    workNanos += (System.nanoTime() - now) * measuring(now);
                }
                publishCounters();
                continue;
            }
            // Wake for the next thing due: a scheduled request, the progress hand-over or the
            // end. epoll waits in whole milliseconds, so under one millisecond we poll
            // instead, or open-loop sends would start up to 1 ms late.
            long wake = Math.min(timeline.endAt(), nextPublishAt);
            if (openLoop) {
                wake = Math.min(wake, nextTickAt);
            }
            if (nextExpiryAt != Long.MAX_VALUE) {
                // Rounded up to the next millisecond: a loss may be declared a little late, but the loop never spins for it.
                wake = Math.min(wake, nextExpiryAt + 999_999);
            }
            long millis = (wake - now) / 1_000_000;
            if (millis <= 0) {
                selector.selectNow(onReady);
            } else {
                selector.select(onReady, millis);
            }
            publishCounters();
        }
    }

    private void onReady(SelectionKey key) {
        Connection connection = (Connection) key.attachment();
        int ready = key.readyOps();
        long now = System.nanoTime();
        if ((ready & SelectionKey.OP_READ) != 0) {
            connection.onReadable(now);
        }
        if ((ready & SelectionKey.OP_WRITE) != 0 && connection.isOpen()) {
            connection.onWritable(now);
        }
    }

    /** Deals out the requests that are due; true if there were any. */
    private boolean releaseDue(long now) {
        if (nextTickAt > now) {
            return false;
        }
        long measuring = measuring(now);
        int at = slotOf(now);
        while (nextTickAt <= now) {
            long lag = now - nextTickAt;
            lagSum += lag * measuring;
            lagCount += measuring;
            lagMax = Math.max(lagMax, lag * measuring);
            slotLag[at] = Math.max(slotLag[at], lag);
            Connection connection = connections[turn];
            turn = turn + 1 == count ? 0 : turn + 1;
            connection.owed++;
            if (!connection.dirty) {
                connection.dirty = true;
                dirty[dirtyCount++] = connection;
            }
            tick++;
            nextTickAt = timeline.startAt() + (long) (tick * tickNanos);
        }
        for (int i = 0; i < dirtyCount; i++) {
            dirty[i].dirty = false;
            dirty[i].issue(now);
        }
        dirtyCount = 0;
        return true;
    }

    /** Open loop: when request {@code number} of the connection at {@code position} was due. */
    long intendedAt(long number, int position) {
        return timeline.startAt() + (long) ((number * count + position) * tickNanos);
    }

    void replied(long latency, long now) {
        long value = latency < 1 ? 1 : Math.min(latency, HIGHEST_LATENCY);
        int at = slotOf(now);
        slotLatency[at] = Math.max(slotLatency[at], value);
        interval.recordValue(value);
        replies++;
        long measuring = measuring(now);
        byWindow[(int) measuring].recordValue(value);
        measuredReplies += measuring;
    }

    void countIn(int bytes, long now) {
        measuredBytesIn += bytes * measuring(now);
    }

    void countOut(int bytes, long now) {
        measuredBytesOut += bytes * measuring(now);
    }

    void badReplies(Connection connection, long bad, String description) {
        badReplies += bad;
        errors += bad;
        if (firstBadReply == null) {
            firstBadReply = "connection " + connection.id + ", " + description;
        }
    }

    void unexpectedReplies(Connection connection, long extra) {
        unexpectedReplies(connection, extra, "received " + extra + " more lines than it sent requests");
    }

    void unexpectedReplies(Connection connection, long extra, String description) {
        unexpectedReplies += extra;
        errors += extra;
        if (firstBadReply == null) {
            firstBadReply = "connection " + connection.id + " " + description;
        }
    }

    /** UDP: the soonest an outstanding request times out is now no later than {@code at}. */
    void expiresAt(long at) {
        if (at < nextExpiryAt) {
            nextExpiryAt = at;
        }
    }

    // UDP: declares lost what timed out, on every connection, and finds the next time-out.
    private void expire(long now) {
        long soonest = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            if (connections[i] instanceof DatagramLoadConnection c && c.isOpen()) {
                soonest = Math.min(soonest, c.expire(now));
            }
        }
        nextExpiryAt = soonest;
    }

    void sentRequest(int bytes, long now) {
        sentSoFar++;
        long measuring = measuring(now);
        measuredSent += measuring;
        measuredBytesOut += bytes * measuring;
    }

    void lostRequest(long now) {
        lostSoFar++;
        measuredLost += measuring(now);
    }

    void lateReply(long now) {
        lateSoFar++;
        measuredLate += measuring(now);
    }

    void lost(Connection connection, String why) {
        lostConnections++;
        errors++;
        live--;
        if (firstLoss == null) {
            firstLoss = "connection " + connection.id + " " + why;
        }
    }

    private void publishCounters() {
        publishedReplies.lazySet(replies);
        publishedErrors.lazySet(errors);
        if (datagrams) {
            publishedSent.lazySet(sentSoFar);
            publishedLost.lazySet(lostSoFar);
            publishedLate.lazySet(lateSoFar);
        }
    }

    private void publishInterval(long now) {
        outbox.add(interval);
        Histogram spare = spares.poll();
        interval = spare != null ? spare : newIntervalHistogram();
        // On the next whole second of the run, the first hand-over having come early.
        nextPublishAt = timeline.startAt() + ((now - timeline.startAt()) / PUBLISH_INTERVAL + 1) * PUBLISH_INTERVAL;
    }

    /** Latencies handed over since the last call, added to {@code into}; histograms go back for reuse. */
    void drainInterval(Histogram into) {
        for (Histogram h; (h = outbox.poll()) != null; ) {
            into.add(h);
            h.reset();
            spares.add(h);
        }
    }

    // The slot of the timeline that now falls in; now never goes back on this thread.
    private int slotOf(long now) {
        while (now >= slotEndsAt && slot < slotLatency.length - 1) {
            slot++;
            slotEndsAt += timeline.slotNanos();
        }
        return slot;
    }

    /** Per slot of the timeline, the longest latency of a reply that came in it (read after the thread ended). */
    long[] slotLatency() {
        return slotLatency;
    }

    /** Open loop: per slot of the timeline, the longest a due request waited to be released in it. */
    long[] slotLag() {
        return slotLag;
    }

    /** Open loop: the longest a due request waited to be released, in the measured window. */
    long scheduleLagMax() {
        return lagMax;
    }

    /** Open loop: the summed lateness of released requests in the measured window, and how many. */
    long scheduleLagSum() {
        return lagSum;
    }

    long scheduleLagCount() {
        return lagCount;
    }

    long repliesSoFar() {
        return publishedReplies.get();
    }

    long errorsSoFar() {
        return publishedErrors.get();
    }

    long sentSoFar() {
        return publishedSent.get();
    }

    long lostSoFar() {
        return publishedLost.get();
    }

    long lateSoFar() {
        return publishedLate.get();
    }

    /** UDP, in the measured window: requests sent, declared lost, and replies that came after that. */
    long measuredSent() {
        return measuredSent;
    }

    long measuredLost() {
        return measuredLost;
    }

    long measuredLate() {
        return measuredLate;
    }

    // Read only after the thread has ended (the latch orders it).
    Histogram measured() {
        return measured;
    }

    long measuredReplies() {
        return measuredReplies;
    }

    long measuredBytesIn() {
        return measuredBytesIn;
    }

    long measuredBytesOut() {
        return measuredBytesOut;
    }

    long badReplies() {
        return badReplies;
    }

    long unexpectedReplies() {
        return unexpectedReplies;
    }

    long lostConnections() {
        return lostConnections;
    }

    String firstBadReply() {
        return firstBadReply;
    }

    String firstLoss() {
        return firstLoss;
    }

    String failure() {
        return failure;
    }

    /** Busy polling: time spent handling messages in the measured window, polling excluded. */
    long workNanos() {
        return workNanos;
    }

    /**
     * The coordinating thread's reading of this loop thread's CPU time as the measured window
     * began ({@link #threadCpu(Thread)}), read back by it alone, after the thread ended.
     */
    void cpuAtMeasure(long cpu) {
        cpuAtMeasure = cpu;
    }

    /** CPU time this thread spent in the measured window, or -1 if the JVM cannot tell. */
    long measuredCpu() {
        return cpuAtMeasure < 0 || cpuAtEnd < 0 ? -1 : cpuAtEnd - cpuAtMeasure;
    }

    private static long threadCpu() {
        try {
            return THREADS.getCurrentThreadCpuTime();
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    /** The CPU time of a loop's thread, read from another thread; -1 if the JVM cannot tell. */
    static long threadCpu(Thread thread) {
        try {
            return THREADS.getThreadCpuTime(thread.threadId());
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String lower = message.toLowerCase(Locale.ROOT);
        return lower.contains("reset") ? "connection reset by peer" : lower;
    }
}
