package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.sockit.Endpoint;
import io.netty.buffer.Unpooled;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;

/**
 * Netty 4.2's push server: {@link NettyLineServer}'s echo pipeline on one epoll event loop,
 * every channel added to a {@link ChannelGroup} as it is set up (the group drops it when it
 * closes), and a push is {@link ChannelGroup#writeAndFlush(Object)} of one buffer, as
 * Netty's documentation shows broadcasting.
 */
public final class NettyPushServer implements PushServer {

    private final NettyListener listener;
    private final ChannelGroup channels;

    private NettyPushServer(NettyListener listener, ChannelGroup channels) {
        this.listener = listener;
        this.channels = channels;
    }

    /**
     * Listens on {@code endpoint}.
     *
     * @throws IOException saying why it cannot bind
     */
    public static NettyPushServer start(Endpoint endpoint) throws IOException {
        ChannelGroup channels = new DefaultChannelGroup("everyone", GlobalEventExecutor.INSTANCE);
        NettyLineServer.Echo echo = new NettyLineServer.Echo();
        NettyListener listener = NettyListener.bind(endpoint, ch -> {
            channels.add(ch);
            ch.pipeline().addLast(new LineBasedFrameDecoder(NettyLineServer.MAX_LINE, false, true), echo);
        });
        return new NettyPushServer(listener, channels);
    }

    @Override
    public int port() {
        return listener.port();
    }

    @Override
    public int members() {
        return channels.size();
    }

    @Override
    public void push(String line) {
        // The group writes a retained duplicate to each channel and releases this buffer.
        channels.writeAndFlush(Unpooled.copiedBuffer((line + "\n").getBytes(US_ASCII)));
    }

    @Override
    public void close() {
        channels.close().syncUninterruptibly();
        listener.close();
    }
}
