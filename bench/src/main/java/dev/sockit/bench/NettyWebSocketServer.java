package dev.sockit.bench;

import dev.sockit.Endpoint;
import dev.sockit.bench.LineServer.Mode;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.IOException;

/**
 * Netty 4.2's WebSocket server, as its codec-http examples write one: {@link HttpServerCodec},
 * {@link HttpObjectAggregator} for the upgrade request, {@link WebSocketServerProtocolHandler}
 * (the handshake, pings, close, and whole messages from fragments through its frame
 * aggregation), then a handler that writes each text frame back (echo, retained, no copy) or
 * a fixed text frame (ack), flushing once per read batch. One event loop, epoll
 * ({@link NettyListener}); the same 1 MiB message limit as sockit's default.
 */
public final class NettyWebSocketServer {

    private static final int MAX_MESSAGE = 1 << 20;

    private NettyWebSocketServer() {}

    /**
     * Listens on {@code endpoint}, a ws:// endpoint whose path the handshake checks.
     *
     * @throws IOException saying why it cannot bind
     */
    public static LineServer start(Endpoint endpoint, Mode mode, String reply) throws IOException {
        if (mode == Mode.DISCARD) {
            throw new IllegalArgumentException("a WebSocket server echoes or acks; discard is for byte streams");
        }
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(endpoint.resource())
                .maxFramePayloadLength(MAX_MESSAGE)
                .checkStartsWith(false)
                .build();
        ChannelHandler answer = mode == Mode.ECHO ? new Echo() : new Ack(reply);
        return NettyListener.bind(endpoint, ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new HttpObjectAggregator(8 * 1024), new WebSocketServerProtocolHandler(config), answer));
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
