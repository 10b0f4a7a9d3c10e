package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Netty 4.2's contender, written as its documentation and examples teach: the native epoll
 * transport, a {@link LineBasedFrameDecoder}, a handler that writes each reply and flushes
 * once per read batch in {@code channelReadComplete}. Echo sends back the frame it was given,
 * newline and all, without copying it. Discard is Netty's own DiscardServer example: no
 * decoder, each buffer released as it comes.
 *
 * <p>One event loop thread does both accepting and I/O: the benchmark pins the server to one
 * core, where a second loop would only take turns with the first.
 */
public final class NettyLineServer implements LineServer {

    // The same line limit as sockit's lines framing, so both refuse the same input.
    static final int MAX_LINE = 64 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private NettyLineServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Listens on {@code endpoint}.
     *
     * @throws IOException saying why it cannot bind
     */
    public static NettyLineServer start(Endpoint endpoint, Mode mode, String reply) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ChannelHandler handler = switch (mode) {
            case ECHO -> new Echo();
            case ACK -> new Ack(reply);
            case DISCARD -> new Discard();
        };
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (mode == Mode.DISCARD) {
                                ch.pipeline().addLast(handler);
                                return;
                            }
                            // Echo keeps the newline in the frame, so the reply is the frame itself.
                            ch.pipeline().addLast(new LineBasedFrameDecoder(MAX_LINE, mode == Mode.ACK, true), handler);
                        }
                    })
                    .bind(new InetSocketAddress(endpoint.host(), endpoint.port()))
                    .sync()
                    .channel();
            return new NettyLineServer(group, channel);
        } catch (Exception e) {
            group.shutdownGracefully();
            throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
        } 
    }

    @Override
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void awaitClosed() throws InterruptedException {
        channel.closeFuture().sync();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully().syncUninterruptibly();
    }

    /** Writes each frame back; flushes once the read batch is done. Shared with {@link NettyPushServer}. */
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Releases each buffer as it comes, answering nothing. */
    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Answers each frame with a shared reply buffer; flushes once the read batch is done. */
    @ChannelHandler.Sharable
    private static final class Ack extends ChannelInboundHandlerAdapter {
        private final ByteBuf reply;

        Ack(String text) {
            byte[] bytes = (text + "\n").getBytes(UTF_8);
            this.reply = Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.write(reply.duplicate(), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
