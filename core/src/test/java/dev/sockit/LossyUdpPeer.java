package dev.sockit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP server that loses datagrams on purpose, on java.net.DatagramSocket alone: it drops
 * the first {@code lose} datagrams it receives and answers each later one with
 * {@code reply to TEXT}. Counts what it received, so a test can see the retries.
 */
final class LossyUdpPeer implements AutoCloseable {

    private final DatagramSocket socket;
    private final int lose;
    private final AtomicInteger received = new AtomicInteger();
    private final Thread thread;

    private LossyUdpPeer(int lose) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.lose = lose;
        this.thread = Thread.ofVirtual().start(this::serve);
    }

    /** A peer that loses the first {@code lose} datagrams and answers the rest. */
    static LossyUdpPeer losingFirst(int lose) throws IOException {
        return new LossyUdpPeer(lose);
    }

    /** A peer that loses every datagram. */
    static LossyUdpPeer losingAll() throws IOException {
        return new LossyUdpPeer(Integer.MAX_VALUE);
    }

    Endpoint endpoint() {
        return Endpoint.udp("127.0.0.1", socket.getLocalPort());
    }

    int received() {
        return received.get();
    }

    private void serve() {
        byte[] buffer = new byte[65_536];
        try {
            for (;;) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                if (received.incrementAndGet() <= lose) {
                    continue; // lost on the way, as far as the sender can tell
                }
                byte[] reply = ("reply to " + new String(packet.getData(), 0, packet.getLength(), UTF_8)).getBytes(UTF_8);
                socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            }
        } catch (SocketException closed) {
            // close() ends the loop
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
