package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Endpoint;
import dev.sockit.bench.LineServer.Mode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * Netty 4.2's contender, written as its documentation and examples teach: the native epoll
 * transport, a {@link LineBasedFrameDecoder}, a handler that writes each reply and flushes
 * once per read batch in {@code channelReadComplete}. Echo sends back the frame it was given,
 * newline and all, without copying it. Discard is Netty's own DiscardServer example: no
 * decoder, each buffer released as it comes. Listening is {@link NettyListener}'s: one event
 * loop thread for accepting and I/O.
 */
public final class NettyLineServer {

    // The same line limit as sockit's lines framing, so both refuse the same input.
    static final int MAX_LINE = 64 * 1024;

    private NettyLineServer() {}

    /**
     * Listens on {@code endpoint}.
     *
     * @throws IOException saying why it cannot bind
     */
    public static LineServer start(Endpoint endpoint, Mode mode, String reply) throws IOException {
        ChannelHandler handler = switch (mode) {
            case ECHO -> new Echo();
            case ACK -> new Ack(reply);
            case DISCARD -> new Discard();
        };
        return NettyListener.bind(endpoint, ch -> {
            if (mode == Mode.DISCARD) {
                ch.pipeline().addLast(handler);
                return;
            }
            // Echo keeps the newline in the frame, so the reply is the frame itself.
            ch.pipeline().addLast(new LineBasedFrameDecoder(MAX_LINE, mode == Mode.ACK, true), handler);
        });
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
