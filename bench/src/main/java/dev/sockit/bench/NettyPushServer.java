package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.sockit.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Netty 4.2's push server: {@link NettyLineServer}'s echo pipeline on one epoll event loop,
 * every channel added to a {@link ChannelGroup} as it is set up (the group drops it when it
 * closes), and a push is {@link ChannelGroup#writeAndFlush(Object)} of one buffer, as
 * Netty's documentation shows broadcasting.
 */
public final class NettyPushServer implements PushServer {

    private final EventLoopGroup loop;
    private final Channel listening;
    private final ChannelGroup channels;

    private NettyPushServer(EventLoopGroup loop, Channel listening, ChannelGroup channels) {
        this.loop = loop;
        this.listening = listening;
        this.channels = channels;
    }

    /**
     * Listens on {@code endpoint}.
     *
     * @throws IOException saying why it cannot bind
     */
    public static NettyPushServer start(Endpoint endpoint) throws IOException {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ChannelGroup channels = new DefaultChannelGroup("everyone", GlobalEventExecutor.INSTANCE);
        NettyLineServer.Echo echo = new NettyLineServer.Echo();
        try {
            Channel listening = new ServerBootstrap()
                    .group(loop)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            channels.add(ch);
                            ch.pipeline().addLast(new LineBasedFrameDecoder(NettyLineServer.MAX_LINE, false, true), echo);
                        }
                    })
                    .bind(new InetSocketAddress(endpoint.host(), endpoint.port()))
                    .sync()
                    .channel();
            return new NettyPushServer(loop, listening, channels);
        } catch (Exception e) {
            loop.shutdownGracefully();
            throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int port() {
        return ((InetSocketAddress) listening.localAddress()).getPort();
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
        listening.close().syncUninterruptibly();
        channels.close().syncUninterruptibly();
        loop.shutdownGracefully().syncUninterruptibly();
    }
}
