package dev.sockit.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * UDP on {@code java.net} alone: {@code socket(AF_INET, SOCK_DGRAM)}, {@code bind},
 * {@code sendto} and {@code recvfrom}. No listen, no accept, no connection: every datagram
 * carries its sender's address, and the reply goes back to that address. {@code udp} is the
 * same on sockit.
 *
 * <pre>bin/example udp-jdk</pre>
 */
public final class UdpJdk {

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(loopback, 0));   // socket(); bind()
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            client.setSoTimeout(5_000);                   // a lost datagram never says so: wait with a deadline
            server.setSoTimeout(5_000);
            byte[] hello = "hello".getBytes(UTF_8);
            client.send(new DatagramPacket(hello, hello.length, server.getLocalSocketAddress()));   // sendto()
            DatagramPacket request = new DatagramPacket(new byte[65_507], 65_507);
            server.receive(request);                                                      // data, addr = recvfrom()
            System.out.println("server: datagram from " + request.getSocketAddress() + ": "
                    + new String(request.getData(), 0, request.getLength(), UTF_8));
            byte[] reply = "server received your message.".getBytes(UTF_8);
            server.send(new DatagramPacket(reply, reply.length, request.getSocketAddress()));  // sendto(reply, addr)
            DatagramPacket answer = new DatagramPacket(new byte[65_507], 65_507);
            client.receive(answer);
            System.out.println("client: received " + new String(answer.getData(), 0, answer.getLength(), UTF_8));
        }
    }
}
