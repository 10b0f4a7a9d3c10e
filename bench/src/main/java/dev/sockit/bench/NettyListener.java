package dev.sockit.bench;

import dev.sockit.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Netty's listening side as each of its contenders here opens it: the native epoll transport,
 * a backlog of 4096 as sockit's, {@code TCP_NODELAY} on every connection, and one event loop
 * thread for both accepting and I/O (the benchmark pins the server to one core, where a
 * second loop would only take turns with the first). What differs between the contenders is
 * only the pipeline each connection gets.
 */
final class NettyListener implements LineServer {

    private final EventLoopGroup group;
    private final Channel channel;

    private NettyListener(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Listens on {@code endpoint}, giving each accepted connection's pipeline to {@code pipeline}.
     *
     * @throws IOException saying why it cannot bind
     */
    static NettyListener bind(Endpoint endpoint, Consumer<SocketChannel> pipeline) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            pipeline.accept(ch);
                        }
                    })
                    .bind(new InetSocketAddress(endpoint.host(), endpoint.port()))
                    .sync()
                    .channel();
            return new NettyListener(group, channel);
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

    /** Stops accepting, then stops the event loop, which closes every connection on it. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully().syncUninterruptibly();
    }
}
