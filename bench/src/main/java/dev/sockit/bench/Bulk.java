package dev.sockit.bench;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import dev.sockit.framing.Raw;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Bulk transfer, for bench/bulk.sh: how fast a server takes a stream of bytes it discards,
 * the case iperf3 measures.
 *
 * <pre>
 * java -cp ... dev.sockit.bench.Bulk serve sockit|netty PORT     # prints "listening on PORT"
 * java -cp ... dev.sockit.bench.Bulk send PORT SECONDS WARMUP_SECONDS
 * </pre>
 *
 * The sockit server is core's {@code Server} with the {@code raw} framing and the discard
 * handler, as {@code sockit server --framing raw --mode discard} runs it; Netty's is an epoll
 * server whose only handler releases what it reads. The sender writes 128 KiB at a time from
 * a direct buffer (iperf3's default block) on one connection, as {@code iperf3 -c} does, and
 * prints Gbit/s of the measured part.
 */
public final class Bulk {

    private static final String USAGE = "usage: Bulk serve sockit|netty PORT | Bulk send PORT SECONDS WARMUP_SECONDS";
    private static final int BLOCK = 128 * 1024;

    private Bulk() {}

    /** Serves or sends; exits 2 on bad arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("serve")) {
            serve(args[1], Integer.parseInt(args[2]));
        } else if (args.length == 4 && args[0].equals("send")) {
            send(Integer.parseInt(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]));
        } else {
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    private static void serve(String kind, int port) throws Exception {
        switch (kind) {
            case "sockit" -> {
                Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:" + port))
                        .framing(Raw.bytes())
                        .handler(Handlers.discard())
                        .start();
                System.out.println("listening on " + server.port());
                server.awaitClosed();
            }
            case "netty" -> {
                EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
                Channel channel = new ServerBootstrap()
                        .group(loop)
                        .channel(EpollServerSocketChannel.class)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(Discard.INSTANCE);
                            }
                        })
                        .bind(new InetSocketAddress("127.0.0.1", port))
                        .sync()
                        .channel();
                System.out.println("listening on " + ((InetSocketAddress) channel.localAddress()).getPort());
                channel.closeFuture().sync();
            }
            default -> {
                System.err.println("unknown server " + kind + "\n" + USAGE);
                System.exit(2);
            }
        }
    }

    private static void send(int port, long seconds, long warmupSeconds) throws IOException {
        ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
        try (java.nio.channels.SocketChannel channel =
                java.nio.channels.SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            long bytes = 0;
            boolean measuring = false;
            for (long now = start; now < end; now = System.nanoTime()) {
                if (!measuring && now >= measureFrom) {
                    measuring = true;
                    bytes = 0;
                    measureFrom = now;
                }
                block.clear();
                while (block.hasRemaining()) {
                    bytes += channel.write(block);
                }
            }
            double elapsed = (System.nanoTime() - measureFrom) / 1e9;
            System.out.printf(Locale.ROOT, "%.2f Gbit/s (%d bytes in %.2f s)%n", bytes * 8 / elapsed / 1e9, bytes, elapsed);
        }
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
