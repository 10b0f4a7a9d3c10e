package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Endpoint;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The plain JDK baseline, as a textbook writes it: {@link ServerSocket}, a platform thread per
 * connection, {@link BufferedReader#readLine()} in, {@link BufferedOutputStream} out. The one
 * concession to speed every competent version makes: flush only when no more input is
 * waiting, so pipelined requests get their replies in one write. Discard reads the socket's
 * {@link java.io.InputStream} into one 64 KiB array until the peer closes.
 */
public final class JdkLineServer implements LineServer {

    private final ServerSocket listener;
    private final Mode mode;
    private final byte[] reply;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);

    private JdkLineServer(ServerSocket listener, Mode mode, String reply) {
        this.listener = listener;
        this.mode = mode;
        this.reply = (reply + "\n").getBytes(UTF_8);
    }

    /**
     * Listens on {@code endpoint} and starts accepting on a thread of its own.
     *
     * @throws IOException saying why it cannot bind
     */
    public static JdkLineServer start(Endpoint endpoint, Mode mode, String reply) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(endpoint.host(), endpoint.port()), 4096);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
        }
        JdkLineServer server = new JdkLineServer(listener, mode, reply);
        Thread.ofPlatform().name("jdk-accept").start(server::acceptLoop);
        return server;
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket socket = listener.accept();
                sockets.add(socket);
                Thread.ofPlatform().daemon().name("jdk-connection").start(() -> serve(socket));
            }
        } catch (IOException e) {
            // Closing the listener ends the loop; anything else would too, and close() reports nothing.
        } finally {
            closed.countDown();
        }
    }

    private void serve(Socket socket) {
        if (mode == Mode.DISCARD) {
            discard(socket);
            return;
        }
        try (socket;
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
                OutputStream out = new BufferedOutputStream(socket.getOutputStream())) {
            socket.setTcpNoDelay(true);
            for (String line; (line = in.readLine()) != null; ) {
                if (mode == Mode.ECHO) {
                    out.write(line.getBytes(UTF_8));
                    out.write('\n');
                } else {
                    out.write(reply);
                }
                if (!in.ready()) {
                    out.flush();
                }
            }
        } catch (SocketException e) {
            // The peer reset or the server is closing: the connection is over either way.
        } catch (IOException e) {
            System.err.println("jdk line server: connection failed: " + e);
        } finally {
            sockets.remove(socket);
        }
    }

    private void discard(Socket socket) {
        byte[] buffer = new byte[64 * 1024];
        try (socket; var in = socket.getInputStream()) {
            while (in.read(buffer) >= 0) {
                // Reading is the whole job.
            }
        } catch (SocketException e) {
            // The peer reset or the server is closing: the connection is over either way.
        } catch (IOException e) {
            System.err.println("jdk discard server: connection failed: " + e);
        } finally {
            sockets.remove(socket);
        }
    }

    @Override
    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
