package dev.sockit.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A thread per connection by hand, on {@code java.net} alone: one task accepts, and every
 * accepted socket gets a virtual thread of its own that reads lines and answers them. Two
 * clients stay connected at once and both are served, in turn. {@code threads} is the same
 * on sockit.
 *
 * <pre>bin/example threads-jdk</pre>
 */
public final class ThreadsJdk {

    public static void main(String[] args) throws Exception {
        // Closed in reverse order: the server socket first (the accept loop ends), then the
        // executor, which waits for every connection's thread to finish.
        try (var threads = Executors.newVirtualThreadPerTaskExecutor();
             ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            threads.submit(() -> {
                while (true) {
                    Socket conn = server.accept();                           // conn, addr = s.accept()
                    threads.submit(() -> serve(conn));                       // a new thread for each connection
                }
            });
            try (Socket first = new Socket(server.getInetAddress(), server.getLocalPort());
                 Socket second = new Socket(server.getInetAddress(), server.getLocalPort())) {
                for (Socket client : List.of(first, second, first)) {    // both connected, both answered
                    client.getOutputStream().write(("client " + client.getLocalPort() + "\n").getBytes(UTF_8));
                    // One reply per line, so a fresh reader can leave nothing behind in its buffer.
                    System.out.println(new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8)).readLine());
                }
            }
        }
    }

    private static void serve(Socket conn) {
        try (conn; BufferedReader in = new BufferedReader(new InputStreamReader(conn.getInputStream(), UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {             // null: the client has gone
                String reply = line + " served by thread #" + Thread.currentThread().threadId() + "\n";
                conn.getOutputStream().write(reply.getBytes(UTF_8));
            }
        } catch (IOException e) {
            System.err.println("connection from " + conn.getRemoteSocketAddress() + " failed: " + e);
        }
    }
}
