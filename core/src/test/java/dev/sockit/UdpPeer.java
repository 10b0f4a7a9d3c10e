package dev.sockit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;

/** A test's own UDP peer on java.net.DatagramSocket, so that it trusts nothing it tests. Reads wait 5 s at most. */
final class UdpPeer implements AutoCloseable {

    final DatagramSocket socket;
    private final SocketAddress server;

    UdpPeer(SocketAddress server) throws IOException {
        this(server, InetAddress.getLoopbackAddress());
    }

    UdpPeer(SocketAddress server, InetAddress bindTo) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(bindTo, 0));
        this.socket.setSoTimeout(5_000);
        this.server = server;
    }

    static UdpPeer to(Server server) throws IOException {
        return new UdpPeer(new InetSocketAddress(server.endpoint().host(), server.port()));
    }

    void send(String text) throws IOException {
        send(text.getBytes(UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, server));
    }

    String receive() throws IOException {
        return new String(receiveBytes(), UTF_8);
    }

    byte[] receiveBytes() throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        socket.receive(packet);
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    /** Sends, and returns the reply. */
    String ask(String text) throws IOException {
        send(text);
        return receive();
    }

    SocketAddress local() {
        return socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        socket.close();
    }
}
