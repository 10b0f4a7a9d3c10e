package dev.sockit.bench;

import dev.sockit.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Netty 4.2's WebSocket server, as its codec-http examples write one: {@link HttpServerCodec},
 * {@link HttpObjectAggregator} for the upgrade request, {@link WebSocketServerProtocolHandler}
 * (the handshake, pings, close, and whole messages from fragments through its frame
 * aggregation), then a handler that writes each text frame back (echo, retained, no copy) or
 * a fixed text frame (ack), flushing once per read batch. One event loop, epoll, as
 * {@link NettyLineServer}; the same 1 MiB message limit as sockit's default.
 */
public final class NettyWebSocketServer implements LineServer {

    private static final int MAX_MESSAGE = 1 << 20;

    private final EventLoopGroup group;
    private final Channel channel;

    private NettyWebSocketServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Listens on {@code endpoint}, a ws:// endpoint whose path the handshake checks.
     *
     * @throws IOException saying why it cannot bind
     */
    public static NettyWebSocketServer start(Endpoint endpoint, Mode mode, String reply) throws IOException {
        if (mode == Mode.DISCARD) {
            throw new IllegalArgumentException("a WebSocket server echoes or acks; discard is for byte streams");
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(endpoint.resource())
                .maxFramePayloadLength(MAX_MESSAGE)
                .checkStartsWith(false)
                .build();
        ChannelHandler answer = mode == Mode.ECHO ? new Echo() : new Ack(reply);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8 * 1024),
                                    new WebSocketServerProtocolHandler(config), answer);
                        }
                    })
                    .bind(new InetSocketAddress(endpoint.host(), endpoint.port()))
                    .sync()
                    .channel();
            return new NettyWebSocketServer(group, channel);
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

    /** Writes each data frame back as it came; flushes once the read batch is done. */
    @ChannelHandler.Sharable
    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        Echo() {
            super(false); // the frame is written back, not released here
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            ctx.write(frame, ctx.voidPromise());
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

    /** Answers each data frame with the fixed reply; flushes once the read batch is done. */
    @ChannelHandler.Sharable
    private static final class Ack extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final String reply;

        Ack(String reply) {
            this.reply = reply;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            ctx.write(new TextWebSocketFrame(reply), ctx.voidPromise());
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
