package dev.sockit.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The walk-through's TCP steps on {@code java.net} alone, one call per step, with the Python
 * call each one stands for. The client connects before the server accepts: the kernel
 * completes the handshake and queues the connection (that queue is what {@code listen(5)}
 * sizes); {@code accept} only takes it from there.
 *
 * <pre>bin/example tcp-jdk</pre>
 */
public final class TcpJdk {

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket()) {                          // socket(AF_INET, SOCK_STREAM)
            server.bind(new InetSocketAddress("127.0.0.1", 0), 5);                // bind((HOST, 0)); listen(5)
            System.out.println("server: listening on 127.0.0.1:" + server.getLocalPort());
            try (Socket client = new Socket("127.0.0.1", server.getLocalPort()); // client: connect((HOST, PORT))
                 Socket conn = server.accept()) {                                 // conn, addr = accept()
                System.out.println("server: connected by " + conn.getRemoteSocketAddress());
                client.getOutputStream().write("hello".getBytes(UTF_8));          // client: sendall(b"hello")
                byte[] buffer = new byte[1024];
                // One read is not one message: TCP is a byte stream. Five bytes on loopback
                // arrive together; over a network, or with more bytes, they may not.
                int n = conn.getInputStream().read(buffer);                       // data = conn.recv(1024)
                System.out.println("server: received " + new String(buffer, 0, n, UTF_8));
                conn.getOutputStream().write("server received your message.".getBytes(UTF_8)); // conn.sendall(...)
                n = client.getInputStream().read(buffer);                         // client: recv(1024)
                System.out.println("client: received " + new String(buffer, 0, n, UTF_8));
                client.shutdownOutput();                                          // client: shutdown(SHUT_WR)
                // An empty recv() in Python, -1 here: the peer has finished. Loop on it, and spin forever.
                System.out.println("server: read returns " + conn.getInputStream().read(buffer) + ": the client is done");
            }                                                                     // conn.close(); client: close()
        }                                                                         // s.close()
    }
}
