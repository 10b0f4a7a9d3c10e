package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.sockit.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor of a broadcast: no framework, no reader, no queue. A platform thread accepts
 * blocking {@link SocketChannel}s into a list ({@code TCP_NODELAY}, as the others'), and a push
 * is the calling thread writing the line to each of them in turn, one {@code write(2)} per
 * connection from one direct buffer, before it returns. So the push call's time is what the
 * kernel takes to deliver one small message to every connection from one thread, plus the
 * JDK's few hundred nanoseconds around each system call: what any server on this core must
 * spend at least. It never reads (the clients send nothing) and does not echo; a connection
 * whose write fails is dropped, so a closed one is noticed at the second push after it closed
 * (the first draws the peer's reset). Not a server to copy: one client that stops reading would
 * block every push once its socket buffer filled.
 */
public final class PlainPushServer implements PushServer {

    private final ServerSocketChannel listener;
    private final Thread acceptor;
    private final List<SocketChannel> accepted = new ArrayList<>();
    private final ByteBuffer out = ByteBuffer.allocateDirect(256);

    private PlainPushServer(ServerSocketChannel listener) {
        this.listener = listener;
        this.acceptor = Thread.ofPlatform().daemon(true).name("plain-accept").unstarted(this::accept);
    }

    /**
     * Listens on {@code endpoint}.
     *
     * @throws IOException saying why it cannot bind
     */
    public static PlainPushServer start(Endpoint endpoint) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(new InetSocketAddress(endpoint.host(), endpoint.port()), 4096);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
        }
        PlainPushServer server = new PlainPushServer(listener);
        server.acceptor.start();
        return server;
    }

    private void accept() {
        try {
            while (true) {
                SocketChannel channel = listener.accept();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                synchronized (accepted) {
                    accepted.add(channel);
                }
            }
        } catch (ClosedChannelException closed) {
            // close() ends the loop.
        } catch (IOException e) {
            System.err.println("PlainPushServer: accept failed: " + e.getMessage());
        }
    }

    @Override
    public int port() {
        return ((InetSocketAddress) listenerAddress()).getPort();
    }

    private Object listenerAddress() {
        try {
            return listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the listener is closed", e);
        }
    }

    @Override
    public int members() {
        synchronized (accepted) {
            return accepted.size();
        }
    }

    @Override
    public void push(String line) {
        SocketChannel[] members;
        synchronized (accepted) {
            members = accepted.toArray(SocketChannel[]::new);
        }
        byte[] bytes = (line + "\n").getBytes(US_ASCII);
        out.clear().put(bytes).flip();
        for (SocketChannel member : members) {
            out.rewind();
            try {
                while (out.hasRemaining()) {
                    member.write(out);
                }
            } catch (IOException gone) {
                synchronized (accepted) {
                    accepted.remove(member);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        synchronized (accepted) {
            for (SocketChannel channel : accepted) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // Closing the rest.
                }
            }
            accepted.clear();
        }
    }
}
