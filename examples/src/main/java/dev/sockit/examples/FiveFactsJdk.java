package dev.sockit.examples;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The five facts of a connection asked of {@code java.net} directly: the protocol is fixed
 * by the class ({@link Socket} is TCP), the local address and port by
 * {@code getLocalAddress()} and {@code getLocalPort()}, the remote ones by
 * {@code getInetAddress()} and {@code getPort()}. {@code five-facts} is the same on sockit.
 *
 * <pre>bin/example five-facts-jdk</pre>
 */
public final class FiveFactsJdk {

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
             Socket conn = server.accept()) {
            System.out.println("client sees " + facts(client));
            System.out.println("server sees " + facts(conn));
        }
    }

    private static String facts(Socket socket) {
        return "protocol tcp, local " + socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort()
                + ", remote " + socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
    }
}
