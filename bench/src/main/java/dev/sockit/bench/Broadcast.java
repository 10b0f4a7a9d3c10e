package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.sockit.Endpoint;
import dev.sockit.Group;
import dev.sockit.Message;
import dev.sockit.Server;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Broadcast fan-out: one server with CONNECTIONS clients (held by {@link Crowd} processes)
 * pushes a line to all of them, REPEATS times; for each push, how long from just before the
 * push until the median client and the last client had it.
 *
 * <pre>
 * java -cp ... [-Dcrowd.cpus=1] dev.sockit.bench.Broadcast sockit|netty CONNECTIONS REPEATS [CROWDS]
 * </pre>
 *
 * sockit pushes the way its users would, {@link Group#broadcast} to every member; Netty with a
 * {@link ChannelGroup#writeAndFlush}, its idiom for the same. Each runs in this process (run
 * it pinned to one core); the crowds run as child processes, pinned with {@code taskset -c}
 * to {@code crowd.cpus} when that is set. The first {@value #WARMUP} pushes are left out of
 * the figures. Prints one Markdown table row.
 */
public final class Broadcast {

    private static final String USAGE = "usage: Broadcast sockit|netty CONNECTIONS REPEATS [CROWDS]";
    private static final int WARMUP = 5;
    // Long enough for the last client of one push to have it before the next push starts.
    private static final long PAUSE_MILLIS = 200;
    private static final long CROWD_SECONDS = 600;

    private Broadcast() {}

    /** Runs the measurement; exits 2 on bad arguments, 1 when the clients cannot be connected. */
    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String kind = args[0];
        int connections = Integer.parseInt(args[1]);
        int repeats = Integer.parseInt(args[2]) + WARMUP;
        int crowds = args.length == 4 ? Integer.parseInt(args[3]) : Math.max(1, (connections + 9_499) / 9_500);
        try (Pusher pusher = switch (kind) {
            case "sockit" -> new SockitPusher();
            case "netty" -> new NettyPusher();
            default -> throw new IllegalArgumentException("unknown server " + kind + "\n" + USAGE);
        }) {
            List<CrowdProcess> started = new ArrayList<>();
            for (int i = 0; i < crowds; i++) {
                int share = connections / crowds + (i < connections % crowds ? 1 : 0);
                started.add(CrowdProcess.start(pusher.port(), share, "127.0.0." + (10 + i), repeats));
            }
            for (CrowdProcess crowd : started) {
                crowd.awaitReady();
            }
            awaitConnected(pusher, connections);
            long[] pushedAt = new long[repeats];
            for (int seq = 0; seq < repeats; seq++) {
                byte[] line = ("b " + seq + "\n").getBytes(US_ASCII);
                pushedAt[seq] = System.nanoTime();
                pusher.push(line);
                Thread.sleep(PAUSE_MILLIS);
            }
            List<long[][]> arrivals = new ArrayList<>();
            for (CrowdProcess crowd : started) {
                arrivals.add(crowd.finish());
            }
            System.out.println(summarize(kind, connections, pushedAt, arrivals));
        }
    }

    private static void awaitConnected(Pusher pusher, int connections) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (pusher.connected() < connections) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + pusher.connected() + " of " + connections
                        + " clients connected within 60 s");
            }
            Thread.sleep(20);
        }
    }

    private static String summarize(String kind, int connections, long[] pushedAt, List<long[][]> arrivals) {
        int measured = pushedAt.length - WARMUP;
        double[] last = new double[measured];
        double[] median = new double[measured];
        long missing = 0;
        for (int seq = WARMUP; seq < pushedAt.length; seq++) {
            long[] all = new long[connections];
            int n = 0;
            for (long[][] crowd : arrivals) {
                for (long t : crowd[seq]) {
                    if (t == 0) {
                        missing++;
                    } else {
                        all[n++] = t - pushedAt[seq];
                    }
                }
            }
            Arrays.sort(all, 0, n);
            last[seq - WARMUP] = n == 0 ? Double.NaN : all[n - 1] / 1e6;
            median[seq - WARMUP] = n == 0 ? Double.NaN : all[n / 2] / 1e6;
        }
        Arrays.sort(last);
        Arrays.sort(median);
        return String.format(Locale.ROOT, "| %s | %,d | %d | %,d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms |",
                kind, connections, measured, missing, quantile(median, 0.5), quantile(median, 0.99),
                quantile(last, 0.5), quantile(last, 0.99), last[last.length - 1]);
    }

    private static double quantile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** The server under test: how many clients it has, and one push to all of them. */
    private interface Pusher extends AutoCloseable {
        int port();

        int connected();

        void push(byte[] line) throws Exception;

        @Override
        void close() throws Exception;
    }

    private static final class SockitPusher implements Pusher {
        private final Group everyone = new Group("everyone");
        private final Server server;

        SockitPusher() throws IOException {
            server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"))
                    .maxConnections(20_000)
                    .maxPerSource(20_000)
                    .handler(connection -> {
                        everyone.join(connection);
                        try {
                            while (connection.receive() != null) {
                                // The clients send nothing; this waits for them to leave.
                            }
                        } finally {
                            everyone.leave(connection);
                        }
                    })
                    .start();
        }

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public int connected() {
            return server.connections().size();
        }

        @Override
        public void push(byte[] line) {
            // The line without its newline: the framing adds it.
            everyone.broadcast(Message.of(Arrays.copyOf(line, line.length - 1)));
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static final class NettyPusher implements Pusher {
        private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        private final ChannelGroup everyone = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        private final Channel channel;

        NettyPusher() throws InterruptedException {
            channel = new ServerBootstrap()
                    .group(loop)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            everyone.add(ch); // a closed channel leaves the group by itself
                            ch.pipeline().addLast(Discard.INSTANCE);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .sync()
                    .channel();
        }

        @Override
        public int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        @Override
        public int connected() {
            return everyone.size();
        }

        @Override
        public void push(byte[] line) {
            everyone.writeAndFlush(Unpooled.wrappedBuffer(line));
        }

        @Override
        public void close() {
            everyone.close().syncUninterruptibly();
            channel.close().syncUninterruptibly();
            loop.shutdownGracefully().syncUninterruptibly();
        }

        @ChannelHandler.Sharable
        private static final class Discard extends ChannelInboundHandlerAdapter {
            static final Discard INSTANCE = new Discard();

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }
    }

    /** A {@link Crowd} child process and its output, read as it comes so its pipe never fills. */
    private static final class CrowdProcess {
        private final Process process;
        private final CompletableFuture<Void> ready = new CompletableFuture<>();
        private final List<String> lines = new ArrayList<>();
        private final Thread reader;

        private CrowdProcess(Process process) {
            this.process = process;
            this.reader = Thread.ofPlatform().daemon().start(this::read);
        }

        static CrowdProcess start(int port, int connections, String source, int repeats) throws IOException {
            List<String> command = new ArrayList<>();
            String cpus = System.getProperty("crowd.cpus");
            if (cpus != null && !cpus.isBlank()) {
                command.addAll(List.of("taskset", "-c", cpus));
            }
            command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx512m", "-cp", System.getProperty("java.class.path"), Crowd.class.getName(),
                    Integer.toString(port), Integer.toString(connections), source, Long.toString(CROWD_SECONDS),
                    Integer.toString(repeats)));
            return new CrowdProcess(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), US_ASCII))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("ready")) {
                        ready.complete(null);
                    } else {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            if (!ready.isDone()) {
                ready.completeExceptionally(new IllegalStateException("a crowd ended before it was ready (exit "
                        + process.onExit().join().exitValue() + "); see its error above"));
            }
        }

        void awaitReady() throws Exception {
            ready.get(120, TimeUnit.SECONDS);
        }

        /** Tells the crowd to stop and returns its arrival times, [seq][connection]. */
        long[][] finish() throws Exception {
            process.getOutputStream().close();
            reader.join(TimeUnit.SECONDS.toMillis(60));
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("a crowd did not stop within 30 s of being told to");
            }
            long[][] arrivals = new long[lines.size()][];
            for (int i = 0; i < lines.size(); i++) {
                String[] fields = lines.get(i).split(" ");
                arrivals[i] = new long[fields.length - 1];
                for (int j = 1; j < fields.length; j++) {
                    arrivals[i][j - 1] = Long.parseLong(fields[j]);
                }
            }
            return arrivals;
        }
    }
}
