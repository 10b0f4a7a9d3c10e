package dev.sockit.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * AF_UNIX on the JDK alone (since Java 16): channels of {@link StandardProtocolFamily#UNIX},
 * bound to a path. Binding creates the socket file; closing leaves it behind, so the program
 * removes it, or the next bind to that path fails. {@code unix-socket} is the same on sockit.
 *
 * <pre>bin/example unix-socket-jdk</pre>
 */
public final class UnixSocketJdk {

    public static void main(String[] args) throws Exception {
        Path folder = Files.createTempDirectory("sockit-example");
        var address = UnixDomainSocketAddress.of(folder.resolve("walkthrough.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address); // socket(AF_UNIX); bind; listen
             SocketChannel client = SocketChannel.open(address);                                              // client: connect(path)
             SocketChannel conn = server.accept()) {                                                          // conn, _ = accept()
            System.out.println("server: listening on " + address.getPath() + ", a file: " + Files.exists(address.getPath()));
            client.write(ByteBuffer.wrap("hello".getBytes(UTF_8)));
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            conn.read(buffer);                                           // one read, one message: true for 5 bytes, not in general
            System.out.println("server: received " + new String(buffer.array(), 0, buffer.position(), UTF_8));
            conn.write(ByteBuffer.wrap("server received your message.".getBytes(UTF_8)));
            client.read(buffer.clear());
            System.out.println("client: received " + new String(buffer.array(), 0, buffer.position(), UTF_8));
        } finally {
            Files.deleteIfExists(address.getPath());                     // the JDK leaves the socket file behind
            Files.deleteIfExists(folder);
        }
    }
}
