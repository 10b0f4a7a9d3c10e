package dev.sockit.cli.bench;

import dev.sockit.cli.DurationConverter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import dev.sockit.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Drives a line-protocol server with many connections and measures it, over TCP or a Unix
 * socket (lines on a stream) or UDP (one datagram per request and reply, with lost requests
 * timed out and counted; see {@link DatagramLoadConnection}): opens every
 * connection first, runs {@code --threads} selector loops through the warmup and the
 * measured window, prints a progress line each second, and returns a {@link BenchResult}.
 *
 * <pre>{@code
 * BenchResult result = new LoadGenerator(settings).run(System.err::println);
 * System.out.print(Report.text(result));
 * }</pre>
 *
 * <p>Closed loop (the default): each connection keeps {@code depth} requests in flight and
 * sends the next as soon as a reply arrives; latency runs from sending to the reply. Open
 * loop ({@code rate > 0}): requests fall due on a fixed schedule whatever the server does,
 * and latency runs from when a request was due, so a stalled server shows in the tail
 * instead of quietly slowing the load (coordinated omission).
 */
public final class LoadGenerator {

    // Connects in flight at once: enough to open 1,000 connections in milliseconds, few enough
    // not to overflow a server's accept backlog (SYNs dropped there are retried a second later).
    private static final int CONNECTS_AT_ONCE = 128;
    // File descriptors the JVM itself keeps open (jars, epoll, pipes), beyond one per connection.
    private static final int DESCRIPTORS_SPARE = 64;
    private static final long PROGRESS_INTERVAL = TimeUnit.SECONDS.toNanos(1);
    private static final long PROGRESS_LAG = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long STOP_GRACE_MILLIS = 10_000;

    private final BenchSettings settings;

    /** A generator for one run of {@code settings}. */
    public LoadGenerator(BenchSettings settings) {
        this.settings = settings;
    }

    /**
     * Connects, runs the warmup and the measured window, and reports.
     *
     * @param progress takes one line each second: elapsed time, msgs/s, p99, errors
     * @throws ConnectException saying why a connection could not be opened, e.g. refused
     * @throws IOException      when the machine cannot take the load (file limit) or a
     *                          {@code --server-pid} cannot be read
     */
    public BenchResult run(Consumer<String> progress) throws IOException {
        checkDescriptors();
        if (settings.serverPid() > 0) {
            ProcessCpu.of(settings.serverPid()); // fail now, not after the run
        }
        List<? extends SelectableChannel> channels = settings.datagrams() ? openDatagrams() : connectAll();
        if (settings.endpoint().kind() == Endpoint.Kind.WS) {
            upgradeAll(channels);
        }
        CountDownLatch finished = new CountDownLatch(settings.threads());
        List<EventLoop> loops;
        Timeline timeline;
        try {
            timeline = Timeline.from(System.nanoTime(), settings);
            loops = createLoops(channels, timeline, finished);
        } catch (IOException | RuntimeException e) {
            channels.forEach(LoadGenerator::closeQuietly);
            throw e;
        }
        HiccupMeter hiccups = HiccupMeter.start(timeline);
        List<Thread> threads = new ArrayList<>();
        for (EventLoop loop : loops) {
            threads.add(Thread.ofPlatform().name("sockit-bench-" + loop.index).start(loop));
        }
        return coordinate(timeline, loops, threads, hiccups, finished, progress);
    }

    private List<EventLoop> createLoops(List<? extends SelectableChannel> channels, Timeline timeline,
            CountDownLatch finished)
            throws IOException {
        int threads = settings.threads();
        boolean websocket = settings.endpoint().kind() == Endpoint.Kind.WS;
        LinePattern lines = LinePattern.requests(settings.size());
        // Over WebSocket each request is a text frame; the replies' frames become lines again to be checked.
        LinePattern requests = websocket ? lines.framed() : lines;
        LinePattern expected = settings.mode() == Mode.ECHO ? lines : LinePattern.fixed(settings.reply());
        int sendBuffer = LoadConnection.sendBufferSize(settings.depth(), requests.length());
        List<EventLoop> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int share = settings.conns() / threads + (t < settings.conns() % threads ? 1 : 0);
            // Each loop's share of the rate follows its share of the connections, so every
            // connection sends at the same pace.
            double loopRate = (double) settings.rate() * share / settings.conns();
            EventLoop loop = new EventLoop(t, share, timeline, loopRate, settings.busyPoll(), finished);
            if (settings.datagrams()) {
                LinePattern loopRequests = requests.copy();
                LinePattern loopExpected = settings.mode() == Mode.ECHO ? loopRequests : expected.copy();
                for (int c = t; c < channels.size(); c += threads) {
                    loop.addDatagram((DatagramChannel) channels.get(c), c + 1, loopRequests, loopExpected,
                            settings.mode() == Mode.ECHO, settings.depth(), settings.lossTimeout().toNanos());
                }
                loops.add(loop);
                continue;
            }
            // One direct block per loop, cut into send buffers: one allocation, not one per connection.
            ByteBuffer block = ByteBuffer.allocateDirect(sendBuffer * share);
            LinePattern loopRequests = requests.copy();
            // Separate copies: the checker moves its pattern's position and limit as it compares.
            LinePattern loopExpected = expected.copy();
            for (int i = 0, c = t; c < channels.size(); i++, c += threads) {
                loop.add((SocketChannel) channels.get(c), c + 1, block.slice(i * sendBuffer, sendBuffer), loopRequests, loopExpected,
                        settings.depth(), websocket);
            }
            loops.add(loop);
        }
        return loops;
    }

    private BenchResult coordinate(Timeline timeline, List<EventLoop> loops, List<Thread> threads, HiccupMeter hiccups,
            CountDownLatch finished, Consumer<String> progress) throws IOException {
        Histogram display = EventLoop.newIntervalHistogram();
        long ownCpuAtMeasure = -1;
        long serverCpuAtMeasure = -1;
        long machineAtMeasure = -1;
        long stealAtMeasure = -1;
        long ownCpuAtEnd = -1;
        long serverCpuAtEnd = -1;
        long machineAtEnd = -1;
        long stealAtEnd = -1;
        boolean measuring = false;
        // Read once before they count: this thread shares the loops' CPU, and their first call
        // (classes to load, code to interpret) would otherwise fall on the start of measuring.
        ProcessCpu.own();
        ProcessCpu.ofServer(settings.serverPid());
        ProcessCpu.machineBusy();
        ProcessCpu.machineSteal();
        long lastReplies = 0;
        long lastProgressAt = timeline.startAt();
        // Loops hand over their histograms on each whole second; read them a little after.
        long nextProgressAt = timeline.startAt() + PROGRESS_INTERVAL + PROGRESS_LAG;
        long endedAt = timeline.endAt();
        for (;;) {
            long now = System.nanoTime();
            if (!measuring && now >= timeline.measureAt()) {
                measuring = true;
                for (int i = 0; i < loops.size(); i++) {
                    loops.get(i).cpuAtMeasure(EventLoop.threadCpu(threads.get(i)));
                }
                ownCpuAtMeasure = ProcessCpu.own();
                serverCpuAtMeasure = ProcessCpu.ofServer(settings.serverPid());
                machineAtMeasure = ProcessCpu.machineBusy();
                stealAtMeasure = ProcessCpu.machineSteal();
            }
            // A second that ended within the run gets its line even when this thread wakes late,
            // past the run's end as well (a loaded machine): a short run would otherwise show none.
            if (now >= nextProgressAt && nextProgressAt - PROGRESS_LAG < timeline.endAt()) {
                long replies = 0;
                long errors = 0;
                long sent = 0;
                long lost = 0;
                long late = 0;
                for (EventLoop loop : loops) {
                    replies += loop.repliesSoFar();
                    errors += loop.errorsSoFar();
                    sent += loop.sentSoFar();
                    lost += loop.lostSoFar();
                    late += loop.lateSoFar();
                    loop.drainInterval(display);
                }
                boolean warmup = lastProgressAt < timeline.measureAt() && timeline.measureAt() > timeline.startAt();
                String line = progressLine(nextProgressAt - PROGRESS_LAG - timeline.startAt(),
                        (replies - lastReplies) * 1e9 / (now - lastProgressAt), display, errors, warmup);
                if (settings.datagrams()) {
                    line += datagramProgress(sent, replies, lost, late);
                }
                progress.accept(line);
                display.reset();
                lastReplies = replies;

                lastProgressAt = now;
                nextProgressAt += PROGRESS_INTERVAL;
            }
            if (now >= timeline.endAt() || finished.getCount() == 0) {
                endedAt = Math.min(now, timeline.endAt());
                ownCpuAtEnd = ProcessCpu.own();
                serverCpuAtEnd = ProcessCpu.ofServer(settings.serverPid());
                machineAtEnd = ProcessCpu.machineBusy();
                stealAtEnd = ProcessCpu.machineSteal();
                break;
            }
            long wake = Math.min(nextProgressAt, timeline.endAt());
            if (!measuring) {
                wake = Math.min(wake, timeline.measureAt());
            }
            try {
                finished.await(Math.max(0, wake - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the load was running");
            }
        }
        long hiccup;
        try {
            hiccup = hiccups.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the load was stopping");
        }
        for (Thread thread : threads) {
            try {
                thread.join(STOP_GRACE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the load was stopping");
            }
            if (thread.isAlive()) {
                throw new IOException(thread.getName() + " did not stop within " + STOP_GRACE_MILLIS
                        + " ms of the end of the run; this is a bug in sockit bench");
            }
        }
        return result(timeline, endedAt, loops, ProcessCpu.delta(ownCpuAtMeasure, ownCpuAtEnd),
                ProcessCpu.delta(serverCpuAtMeasure, serverCpuAtEnd), ProcessCpu.delta(machineAtMeasure, machineAtEnd),
                ProcessCpu.delta(stealAtMeasure, stealAtEnd), hiccup);
    }

    private BenchResult result(Timeline timeline, long endedAt, List<EventLoop> loops, long ownCpu, long serverCpu,
            long machineBusy, long steal, long hiccup) throws IOException {
        Histogram latency = EventLoop.newHistogram();
        long messages = 0;
        long sent = 0;
        long received = 0;
        long bad = 0;
        long unexpected = 0;
        long lost = 0;
        long lagSum = 0;
        long requestsSent = 0;
        long lostRequests = 0;
        long lateReplies = 0;
        long lagCount = 0;
        long work = 0;
        long lagMax = 0;
        long[] latencyBySlot = new long[timeline.slots()];
        long[] lagBySlot = new long[timeline.slots()];
        String firstBad = null;
        String firstLoss = null;
        double busiest = -1;
        double seconds = Math.max(0, endedAt - timeline.measureAt()) / 1e9;
        for (EventLoop loop : loops) {
            if (loop.failure() != null) {
                throw new IOException(loop.failure());
            }
            latency.add(loop.measured());
            messages += loop.measuredReplies();
            sent += loop.measuredBytesOut();
            received += loop.measuredBytesIn();
            bad += loop.badReplies();
            unexpected += loop.unexpectedReplies();
            lost += loop.lostConnections();
            lagSum += loop.scheduleLagSum();
            requestsSent += loop.measuredSent();
            lostRequests += loop.measuredLost();
            lateReplies += loop.measuredLate();
            lagCount += loop.scheduleLagCount();
            lagMax = Math.max(lagMax, loop.scheduleLagMax());
            for (int i = 0; i < latencyBySlot.length; i++) {
                latencyBySlot[i] = Math.max(latencyBySlot[i], loop.slotLatency()[i]);
                lagBySlot[i] = Math.max(lagBySlot[i], loop.slotLag()[i]);
            }
            firstBad = firstBad != null ? firstBad : loop.firstBadReply();
            firstLoss = firstLoss != null ? firstLoss : loop.firstLoss();
            work += loop.workNanos();
            // A busy-polling thread is always on the CPU: how much of it went on messages is what counts.
            long cpu = settings.busyPoll() ? loop.workNanos() : loop.measuredCpu();
            if (cpu >= 0 && seconds > 0) {
                busiest = Math.max(busiest, cpu / 1e9 / seconds);
            }
        }
        BenchResult.Latency percentiles = new BenchResult.Latency(latency.getTotalCount(), latency.getMean(),
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(90),
                latency.getValueAtPercentile(99), latency.getValueAtPercentile(99.9), latency.getMaxValue());
        double lag = !settings.openLoop() ? -1 : lagCount == 0 ? 0 : (double) lagSum / lagCount;
        return new BenchResult(settings, seconds, messages, sent, received, percentiles, bad, unexpected, lost,
                firstBad != null ? firstBad : firstLoss, ownCpu, settings.busyPoll() ? work : -1, busiest, serverCpu, lag,
                machineBusy, steal, settings.datagrams() ? new BenchResult.Datagrams(requestsSent, messages, lostRequests,
                        lateReplies) : null,
                new BenchResult.Stalls(hiccup, settings.openLoop() ? lagMax : -1, timeline.slotNanos(),
                        timeline.slotOf(timeline.measureAt()), latencyBySlot, settings.openLoop() ? lagBySlot : null));
    }

    private static String progressLine(long elapsed, double rate, Histogram interval, long errors, boolean warmup) {
        String p99 = interval.getTotalCount() == 0 ? "-" : Report.latency(interval.getValueAtPercentile(99));
        return String.format(Locale.ROOT, "%6.1fs  %,12.0f msgs/s  p99 %9s  errors %,d%s", elapsed / 1e9, rate, p99,
                errors, warmup ? "  (warmup)" : "");
    }

    // UDP: totals since the start (warmup included); lost as a share of the requests settled, answered or lost.
    private static String datagramProgress(long sent, long received, long lost, long late) {
        long settled = received + lost;
        return String.format(Locale.ROOT, "  sent %,d  received %,d  lost %,d (%s)  late %,d", sent, received, lost,
                settled == 0 ? "-" : String.format(Locale.ROOT, "%.2f%%", 100.0 * lost / settled), late);
    }



    /** Fails now, saying what to do, when {@code --conns} would pass the open-file limit. */
    void checkDescriptors() throws IOException {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os)) {
            return;
        }
        long needed = os.getOpenFileDescriptorCount() + settings.conns() + DESCRIPTORS_SPARE;
        long allowed = os.getMaxFileDescriptorCount();
        if (needed > allowed) {
            throw new IOException("--conns " + settings.conns() + " needs about " + needed
                    + " open files, but this process may open " + allowed
                    + " (ulimit -n); lower --conns or raise the limit");
        }
    }

    /**
     * Opens every stream connection, TCP or Unix, a bounded number at a time, before any load
     * is sent; non-blocking, with Nagle off. {@link BulkSender} opens its connections here too.
     */
    List<SocketChannel> connectAll() throws IOException {
        boolean unix = settings.endpoint().kind() == Endpoint.Kind.UNIX;
        SocketAddress address = unix ? UnixDomainSocketAddress.of(settings.endpoint().path()) : inetAddress();
        int total = settings.conns();
        List<SocketChannel> channels = new ArrayList<>(total);
        long timeout = settings.connectTimeout().toNanos();
        try (Selector selector = Selector.open()) {
            int opened = 0;
            int pending = 0;
            while (opened < total) {
                while (pending < CONNECTS_AT_ONCE && channels.size() < total) {
                    SocketChannel channel = unix ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
                    channels.add(channel);
                    try {
                        channel.configureBlocking(false);
                        if (!unix) {
                            // Requests go out in batches this tool chooses; Nagle would only hold them back.
                            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        }
                        if (channel.connect(address)) {
                            opened++;
                        } else {
                            channel.register(selector, SelectionKey.OP_CONNECT, System.nanoTime());
                            pending++;
                        }
                    } catch (IOException e) {
                        throw connectFailed(opened, e);
                    }
                }
                selector.select(100);
                for (var keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    SocketChannel channel = (SocketChannel) key.channel();
                    try {
                        if (channel.finishConnect()) {
                            key.cancel();
                            opened++;
                            pending--;
                        }
                    } catch (IOException e) {
                        throw connectFailed(opened, e);
                    }
                }
                long now = System.nanoTime();
                for (SelectionKey key : selector.keys()) {
                    if (key.isValid() && now - (Long) key.attachment() > timeout) {
                        throw connectFailed(opened, null);
                    }
                }
            }
            // Flush the cancelled keys, so every channel is free to join a loop's selector.
            selector.selectNow();
            return channels;
        } catch (IOException | RuntimeException e) {
            channels.forEach(LoadGenerator::closeQuietly);
            throw e;
        }
    }

    /**
     * Opens the WebSocket on each connection, one after another before any load: the HTTP
     * upgrade, blocking, bounded by the connect timeout. On loopback a thousand take a tenth
     * of a second, and none of it is measured.
     */
    private void upgradeAll(List<? extends SelectableChannel> channels) throws IOException {
        Endpoint endpoint = settings.endpoint();
        byte[] request = ("GET " + endpoint.resource() + " HTTP/1.1\r\nHost: " + endpoint.authority()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c29ja2l0IGJlbmNoIGtleQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteBuffer answer = ByteBuffer.allocate(4096);
        try {
            for (SelectableChannel selectable : channels) {
                SocketChannel channel = (SocketChannel) selectable;
                channel.configureBlocking(true);
                var deadline = java.util.concurrent.CompletableFuture.delayedExecutor(
                        settings.connectTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                var timer = java.util.concurrent.CompletableFuture.runAsync(() -> closeQuietly(channel), deadline);
                try {
                    ByteBuffer out = ByteBuffer.wrap(request);
                    while (out.hasRemaining()) {
                        channel.write(out);
                    }
                    answer.clear();
                    String head = "";
                    while (!head.contains("\r\n\r\n")) {
                        if (channel.read(answer) < 0 || !answer.hasRemaining()) {
                            break;
                        }
                        head = new String(answer.array(), 0, answer.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
                    }
                    if (!head.startsWith("HTTP/1.1 101")) {
                        String first = head.isEmpty() ? "nothing" : "\"" + head.lines().findFirst().orElse("") + "\"";
                        throw new IOException("cannot open a WebSocket on " + endpoint + ": the server answered " + first
                                + (head.startsWith("HTTP/1.1 404") ? " (is the path right?)" : ""));
                    }
                    if (answer.position() > head.indexOf("\r\n\r\n") + 4) {
                        throw new IOException("the server at " + endpoint + " sent frames before any request");
                    }
                } catch (java.nio.channels.ClosedChannelException timedOut) {
                    throw new IOException("cannot open a WebSocket on " + endpoint + ": no answer to the upgrade within "
                            + settings.connectTimeout().toMillis() + " ms");
                } finally {
                    timer.cancel(false);
                }
                channel.configureBlocking(false);
            }
        } catch (IOException | RuntimeException e) {
            channels.forEach(c -> closeQuietly((SocketChannel) c));
            throw e;
        }
    }

    private InetSocketAddress inetAddress() throws ConnectException {
        InetSocketAddress address = new InetSocketAddress(settings.endpoint().host(), settings.endpoint().port());
        if (address.isUnresolved()) {
            throw new ConnectException("cannot connect to " + settings.endpoint() + ": unknown host "
                    + settings.endpoint().host() + " (check the name, or use an address like 127.0.0.1)");
        }
        return address;
    }

    /**
     * UDP: opens one connected, non-blocking channel per connection. Connecting a datagram
     * socket sends nothing, so a missing server shows only once requests go unanswered or
     * the system reports the port unreachable.
     */
    private List<DatagramChannel> openDatagrams() throws IOException {
        InetSocketAddress address = inetAddress();
        // Room for a full depth of replies, so the generator's own socket does not drop what the server sent.
        int receiveBuffer = (int) Math.min((long) settings.depth() * (Math.max(settings.size(), settings.reply().length()) + 64),
                4 * 1024 * 1024);
        List<DatagramChannel> channels = new ArrayList<>(settings.conns());
        try {
            for (int i = 0; i < settings.conns(); i++) {
                DatagramChannel channel = DatagramChannel.open();
                channels.add(channel);
                try {
                    channel.configureBlocking(false);
                    if (channel.getOption(StandardSocketOptions.SO_RCVBUF) < receiveBuffer) {
                        channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer); // the system may cap it
                    }
                    channel.connect(address);
                } catch (IOException e) {
                    throw connectFailed(i, e);
                }
            }
            return channels;
        } catch (IOException | RuntimeException e) {
            channels.forEach(LoadGenerator::closeQuietly);
            throw e;
        }
    }

    private ConnectException connectFailed(int opened, IOException cause) {
        String why;
        if (cause == null) {
            why = "no answer within " + DurationConverter.format(settings.connectTimeout())
                    + " (is the server up, and the port open in its firewall? --connect-timeout waits longer)";
        } else {
            String message = cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
            Endpoint endpoint = settings.endpoint();
            if (endpoint.kind() == Endpoint.Kind.UNIX && message.contains("no such file")) {
                why = "no socket file at " + endpoint.path() + " — is a server running? (sockit server " + endpoint + ")";
            } else if (endpoint.kind() == Endpoint.Kind.UNIX && message.contains("refused")) {
                why = "connection refused: no server listens on " + endpoint.path()
                        + " (a stale socket file, or not a socket?) — start one with sockit server " + endpoint;
            } else if (endpoint.kind() == Endpoint.Kind.UNIX && message.contains("permission denied")) {
                why = "permission denied: this user may not connect to " + endpoint.path()
                        + " (the server's --socket-mode decides who may)";
            } else if (message.contains("refused")) {
                why = "connection refused — is a server running? (sockit server)";
            } else if (message.contains("cannot assign")) {
                why = "no local port left to connect from (lower --conns, or wait for closed connections to leave TIME_WAIT)";
            } else if (message.contains("unreachable")) {
                why = "no route to " + settings.endpoint().host() + " (is the address right and the network up?)";
            } else {
                why = message.isEmpty() ? cause.getClass().getSimpleName() : message;
            }
        }
        // When some connections opened, the server is there but stopped taking more: say how far we got.
        String which = opened == 0 ? "" : " (after opening " + opened + " of " + settings.conns() + " connections)";
        ConnectException failure = new ConnectException("cannot connect to " + settings.endpoint() + ": " + why + which);
        failure.initCause(cause);
        return failure;
    }

    static void closeQuietly(SelectableChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Never used for load: nothing to report.
        }
    }
}
