package dev.sockit.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The socket a datagram server receives on and answers from: a UDP {@link DatagramChannel},
 * or a Unix datagram socket (which the JDK cannot open). {@link DatagramListener} and its
 * sessions need no more than this, so both kinds share them.
 */
public interface DatagramPort {

    /** The kind, as a connection reports it: {@code udp}, {@code unixgram}. */
    String protocol();

    /** Where it is bound. */
    SocketAddress localAddress() throws IOException;

    /**
     * Waits for the next datagram and puts it in {@code buffer} (cut to its room).
     *
     * @return its sender
     * @throws java.nio.channels.ClosedChannelException once {@link #close()} was called
     */
    SocketAddress receive(ByteBuffer buffer) throws IOException;

    /** Sends {@code datagram} to {@code to}. */
    void send(ByteBuffer datagram, SocketAddress to) throws IOException;

    /** Closes the socket; a waiting {@link #receive} ends. Never throws. */
    void close();

    /** A UDP channel as a port. */
    static DatagramPort of(DatagramChannel channel) {
        return new DatagramPort() {
            @Override
            public String protocol() {
                return "udp";
            }

            @Override
            public SocketAddress localAddress() throws IOException {
                return channel.getLocalAddress();
            }

            @Override
            public SocketAddress receive(ByteBuffer buffer) throws IOException {
                return channel.receive(buffer);
            }

            @Override
            public void send(ByteBuffer datagram, SocketAddress to) throws IOException {
                channel.send(datagram, to);
            }

            @Override
            public void close() {
                Tcp.closeQuietly(channel);
            }
        };
    }
}
