package dev.sockit.cli.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Endpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Connection churn: {@code --conns} loops, each on a platform thread of its own, each doing
 * over and over what a short-lived client does: connect, send one request line, await its
 * reply, close. It measures how fast a server accepts, serves one message and closes a
 * connection, and what that costs it.
 *
 * <pre>{@code
 * ChurnResult result = new ChurnGenerator(settings).run(System.err::println);
 * System.out.print(Report.text(result));
 * }</pre>
 *
 * <p>A connection's latency runs from just before {@code connect} to the reply's newline: the
 * handshake, the accept, the request and the reply; the close that follows is the client's
 * {@code close(2)}, which does not wait for the server. A connection belongs to the window in
 * which it started: those started during the warmup are not counted, and after the end no loop
 * starts another, so that every connection started in the measured window is counted once,
 * answered or failed ({@link ChurnResult#started()} = answered + errors). One still unanswered
 * {@value #STOP_GRACE_MILLIS} ms after the end is closed by the coordinator and counts as an
 * error.
 *
 * <p>Blocking sockets on platform threads, not a selector: a loop has one socket at a time, and
 * a blocking read wakes its thread straight from the kernel. No socket option is set: Nagle
 * holds nothing back when one line is written once. The client closes first, so each
 * connection leaves a TIME_WAIT socket on the client's side for a minute; Linux reuses their
 * ports for new connections to loopback after a second ({@code net.ipv4.tcp_tw_reuse}, 2 by
 * default: loopback only), so the 28,232 ephemeral ports (32768–60999) bound the rate to
 * about 28,000 connections a second, not the count per minute. Should ports run out anyway,
 * each failed connect counts as an error, named.
 */
public final class ChurnGenerator {

    // A connection still unanswered this long after the end is closed under its loop.
    static final long STOP_GRACE_MILLIS = 2_000;
    // After an error a loop waits this long before its next connection, so that a server that is
    // down (every connect refused at once) is not hammered by a spinning generator.
    private static final long ERROR_PAUSE_MILLIS = 10;
    private static final long PROGRESS_INTERVAL = TimeUnit.SECONDS.toNanos(1);
    // Replies longer than this are not an ack or an echo of the request: a bad reply.
    private static final int SPARE_REPLY_BYTES = 2;

    // Which window a connection starting now belongs to: set by the coordinator, read by every loop.
    private static final int WARMUP = 0;
    private static final int MEASURING = 1;
    private static final int STOPPED = 2;

    private final BenchSettings settings;
    private volatile int phase = WARMUP;
    // Opened once every loop's thread has started.
    private final java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);

    /** A generator for one run of {@code settings}, whose {@code churn} is set. */
    public ChurnGenerator(BenchSettings settings) {
        if (!settings.churn()) {
            throw new IllegalArgumentException("connection churn needs --churn");
        }
        this.settings = settings;
    }

    /**
     * Runs the warmup and the measured window, loop after loop of short connections, and reports.
     *
     * @param progress takes one line each second: elapsed time, connections/s and errors in that second
     * @throws IOException when the machine cannot take the loops (file limit), the host is unknown,
     *                     or a {@code --server-pid} cannot be read
     */
    public ChurnResult run(Consumer<String> progress) throws IOException {
        new LoadGenerator(settings).checkDescriptors();
        if (settings.serverPid() > 0) {
            ProcessCpu.of(settings.serverPid()); // fail now, not after the run
        }
        SocketAddress address = address();
        byte[] request = request(settings.size());
        byte[] expected = settings.mode() == Mode.ECHO ? request : (settings.reply() + "\n").getBytes(UTF_8);
        List<Loop> loops = new ArrayList<>(settings.conns());
        for (int i = 0; i < settings.conns(); i++) {
            loops.add(new Loop(i + 1, address, request, expected));
        }
        // Every loop's thread is started before any connects: started one by one while the
        // first ones already churn on the same CPU, 256 threads took seconds, and the clock
        // would have run over the warmup and the window before the last of them began.
        for (Loop loop : loops) {
            loop.thread = Thread.ofPlatform().name("sockit-bench-churn-" + loop.id).start(loop);
        }
        Timeline timeline = Timeline.from(System.nanoTime(), settings);
        // Without a warmup the window opens before the first connection.
        Snapshot atMeasure = null;
        if (settings.warmup().isZero()) {
            atMeasure = snapshot();
            phase = MEASURING;
        }
        go.countDown();
        return coordinate(timeline, atMeasure, loops, progress);
    }

    private SocketAddress address() throws ConnectException {
        Endpoint endpoint = settings.endpoint();
        if (endpoint.kind() == Endpoint.Kind.UNIX) {
            return UnixDomainSocketAddress.of(endpoint.path());
        }
        InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
        if (address.isUnresolved()) {
            throw new ConnectException("cannot connect to " + endpoint + ": unknown host " + endpoint.host()
                    + " (check the name, or use an address like 127.0.0.1)");
        }
        return address;
    }

    /** One request line: {@code size} printable bytes and a newline. */
    private static byte[] request(int size) {
        byte[] alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(UTF_8);
        byte[] line = new byte[size + 1];
        for (int i = 0; i < size; i++) {
            line[i] = alphabet[i % alphabet.length];
        }
        line[size] = '\n';
        return line;
    }

    private ChurnResult coordinate(Timeline timeline, Snapshot atMeasure, List<Loop> loops, Consumer<String> progress)
            throws IOException {
        long lastCount = 0;
        long lastErrors = 0;
        long lastAt = timeline.startAt();
        for (long nextProgressAt = timeline.startAt() + PROGRESS_INTERVAL; ; nextProgressAt += PROGRESS_INTERVAL) {
            long wakeAt = Math.min(nextProgressAt, atMeasure == null ? timeline.measureAt() : timeline.endAt());
            sleepUntil(wakeAt);
            long now = System.nanoTime();
            if (atMeasure == null && now >= timeline.measureAt()) {
                atMeasure = snapshot();
                phase = MEASURING;
                if (now < nextProgressAt) {
                    nextProgressAt -= PROGRESS_INTERVAL; // this wake-up was for the measure, not for progress
                    continue;
                }
            }
            if (now >= timeline.endAt()) {
                break;
            }
            long count = finished(loops);
            long errors = errors(loops);
            double seconds = (now - lastAt) / 1e9;
            progress.accept(String.format(Locale.ROOT, "%6.1fs  %,10.0f conns/s  %,d errors%s",
                    (now - timeline.startAt()) / 1e9, (count - lastCount) / seconds, errors - lastErrors,
                    lastAt < timeline.measureAt() ? "  (warmup)" : ""));
            lastCount = count;
            lastErrors = errors;
            lastAt = now;
        }
        // The window is the coordinator's, from the phase's start to its end, each set beside a
        // snapshot: with hundreds of busy loops on one CPU this thread may run late, and then
        // the window runs late with it instead of counting connections outside it.
        phase = STOPPED;
        Snapshot atEnd = snapshot();
        if (atMeasure == null) {
            atMeasure = atEnd;
        }
        stop(loops);
        return result(atMeasure, atEnd, loops);
    }

    private static void sleepUntil(long at) throws IOException {
        for (long left; (left = at - System.nanoTime()) > 0; ) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted during the run");
            }
        }
    }

    /** Waits for every loop to finish its last connection; closes those still waiting after the grace. */
    private static void stop(List<Loop> loops) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS);
        try {
            for (Loop loop : loops) {
                loop.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (loop.thread.isAlive()) {
                    loop.abandon();
                    loop.thread.join(STOP_GRACE_MILLIS);
                }
                if (loop.thread.isAlive()) {
                    throw new IOException(loop.thread.getName() + " did not stop within " + 2 * STOP_GRACE_MILLIS
                            + " ms of the end of the run; this is a bug in sockit bench");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the loops were stopping");
        }
    }

    private static long finished(List<Loop> loops) {
        long total = 0;
        for (Loop loop : loops) {
            total += loop.answeredAll;
        }
        return total;
    }

    private static long errors(List<Loop> loops) {
        long total = 0;
        for (Loop loop : loops) {
            total += loop.errorsAll;
        }
        return total;
    }

    private ChurnResult result(Snapshot atMeasure, Snapshot atEnd, List<Loop> loops) {
        Histogram latency = EventLoop.newHistogram();
        long started = 0;
        long answered = 0;
        long[] errors = new long[ChurnResult.ErrorKind.values().length];
        String firstError = null;
        long firstErrorAt = Long.MAX_VALUE;
        for (Loop loop : loops) {
            latency.add(loop.latency);
            started += loop.started;
            answered += loop.answered;
            for (int k = 0; k < errors.length; k++) {
                errors[k] += loop.errors[k];
            }
            if (loop.firstError != null && loop.firstErrorAt < firstErrorAt) {
                firstError = loop.firstError;
                firstErrorAt = loop.firstErrorAt;
            }
        }
        BenchResult.Latency l = latency.getTotalCount() == 0 ? new BenchResult.Latency(0, 0, 0, 0, 0, 0, 0)
                : new BenchResult.Latency(latency.getTotalCount(), latency.getMean(),
                        latency.getValueAtPercentile(50), latency.getValueAtPercentile(90),
                        latency.getValueAtPercentile(99), latency.getValueAtPercentile(99.9), latency.getMaxValue());
        double seconds = Math.max(0, atEnd.at - atMeasure.at) / 1e9;
        return new ChurnResult(settings, seconds, started, answered, new ChurnResult.Errors(errors), firstError, l,
                ProcessCpu.delta(atMeasure.ownCpu, atEnd.ownCpu), Runtime.getRuntime().availableProcessors(),
                ProcessCpu.delta(atMeasure.serverCpu, atEnd.serverCpu),
                ProcessCpu.delta(atMeasure.machineBusy, atEnd.machineBusy),
                ProcessCpu.delta(atMeasure.steal, atEnd.steal));
    }

    private Snapshot snapshot() {
        return new Snapshot(System.nanoTime(), ProcessCpu.own(), ProcessCpu.ofServer(settings.serverPid()),
                ProcessCpu.machineBusy(), ProcessCpu.machineSteal());
    }



    /** CPU times at one instant: this process, the server, the machine. */
    private record Snapshot(long at, long ownCpu, long serverCpu, long machineBusy, long steal) {}

    /** What went wrong with one connection, and how to say it. */
    static ChurnResult.ErrorKind classify(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (e instanceof ConnectException && message.contains("refused")) {
            return ChurnResult.ErrorKind.REFUSED;
        }
        if (message.contains("reset")) {
            return ChurnResult.ErrorKind.RESET;
        }
        if (message.contains("cannot assign")) {
            return ChurnResult.ErrorKind.NO_PORT;
        }
        return ChurnResult.ErrorKind.OTHER;
    }

    /** One client, connecting, asking once and closing, over and over, on a platform thread of its own. */
    private final class Loop implements Runnable {

        final int id;
        private final SocketAddress address;
        private final ByteBuffer request;
        private final byte[] expected;
        private final ByteBuffer reply;
        Thread thread;
        // The socket in use, for the coordinator to close when it outlives the run.
        private volatile SocketChannel current;
        private volatile boolean abandoned;
        // Every connection, warmup included, for the progress lines: written by this loop only.
        volatile long answeredAll;
        volatile long errorsAll;
        // Connections started in the measured window; read by the coordinator after the loop ended.
        long started;
        long answered;
        final long[] errors = new long[ChurnResult.ErrorKind.values().length];
        final Histogram latency = EventLoop.newHistogram();
        String firstError;
        long firstErrorAt;

        Loop(int id, SocketAddress address, byte[] request, byte[] expected) {
            this.id = id;
            this.address = address;
            this.request = ByteBuffer.allocateDirect(request.length).put(request).flip();
            this.expected = expected;
            this.reply = ByteBuffer.allocateDirect(expected.length + SPARE_REPLY_BYTES);
        }

        @Override
        public void run() {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int now; (now = phase) != STOPPED && !abandoned; ) {
                long startAt = System.nanoTime();
                boolean measured = now == MEASURING;
                if (measured) {
                    started++;
                }
                ChurnResult.ErrorKind error = null;
                String why = null;
                try (SocketChannel channel = open()) {
                    current = channel;
                    channel.connect(address);
                    request.clear();
                    while (request.hasRemaining()) {
                        channel.write(request);
                    }
                    reply.clear();
                    why = readReply(channel);
                    long took = System.nanoTime() - startAt;
                    if (why != null) {
                        error = why.startsWith("closed") ? ChurnResult.ErrorKind.CLOSED : ChurnResult.ErrorKind.BAD_REPLY;
                    } else if (measured) {
                        latency.recordValue(Math.min(took, EventLoop.HIGHEST_LATENCY));
                        answered++;
                    }
                } catch (AsynchronousCloseException e) {
                    error = ChurnResult.ErrorKind.UNANSWERED;
                    why = "no reply " + STOP_GRACE_MILLIS + " ms after the end of the run";
                } catch (IOException e) {
                    error = classify(e);
                    why = EventLoop.describe(e);
                } finally {
                    current = null;
                }
                if (error == null) {
                    answeredAll++;
                    continue;
                }
                errorsAll++;
                if (measured) {
                    errors[error.ordinal()]++;
                    if (firstError == null) {
                        firstError = "connection " + started + " of loop " + id + ": " + why;
                        firstErrorAt = System.nanoTime();
                    }
                }
                pause();
            }
        }

        // The family of the address, not the JDK's dual-stack default: an IPv6 socket carrying
        // IPv4 would cost the generator more than the server's own sockets cost it.
        private SocketChannel open() throws IOException {
            if (address instanceof InetSocketAddress inet) {
                return SocketChannel.open(inet.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET
                        : StandardProtocolFamily.INET6);
            }
            return SocketChannel.open(StandardProtocolFamily.UNIX);
        }

        /** Reads up to the reply's newline; null when it is the reply expected, else what was wrong. */
        private String readReply(SocketChannel channel) throws IOException {
            for (;;) {
                int from = reply.position();
                if (channel.read(reply) < 0) {
                    return "closed by the server after " + reply.position() + " bytes of its reply";
                }
                for (int i = from; i < reply.position(); i++) {
                    if (reply.get(i) == '\n') {
                        return check(i + 1);
                    }
                }
                if (!reply.hasRemaining()) {
                    return "a reply longer than the " + (expected.length - 1) + " bytes expected: \"" + text(reply.position())
                            + "…\"";
                }
            }
        }

        private String check(int length) {
            byte[] got = new byte[length];
            reply.get(0, got);
            if (Arrays.equals(got, expected)) {
                return null;
            }
            // A CRLF line ending is as good as a newline.
            if (length == expected.length + 1 && got[length - 2] == '\r'
                    && Arrays.equals(got, 0, length - 2, expected, 0, expected.length - 1)) {
                return null;
            }
            return "unexpected reply \"" + text(length) + "\"";
        }

        private String text(int length) {
            byte[] bytes = new byte[Math.min(length, 80)];
            reply.get(0, bytes);
            return new String(bytes, UTF_8).strip();
        }

        private void pause() {
            if (phase == STOPPED) {
                return; // the loop ends anyway
            }
            try {
                Thread.sleep(ERROR_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandoned = true;
            }
        }

        /** Closes the socket a loop still waits on after the run: its connection counts as unanswered. */
        void abandon() {
            abandoned = true;
            SocketChannel channel = current;
            if (channel != null) {
                LoadGenerator.closeQuietly(channel);
            }
        }
    }
}
