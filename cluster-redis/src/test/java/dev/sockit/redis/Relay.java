package dev.sockit.redis;

import static dev.sockit.TestKit.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP relay on loopback in front of a real redis-server, for the races of a client's
 * connections: everything passes as is, except that a test can hold back the next command a
 * client sends that holds given words (a SUBSCRIBE on its way to Redis) until it lets it go,
 * can cut every connection at once, as a network fault would, and can black-hole the
 * connections that sent given words: drop everything they carry, both ways, without a FIN or
 * RST, as a NAT or firewall that forgot them would, until it forwards again.
 *
 * <pre>{@code
 * Relay.Hold hold = relay.holdNext("SUBSCRIBE");   // ... make the client send it
 * hold.awaitHeld();                                 // Redis has not seen it; act meanwhile
 * hold.release();
 * }</pre>
 */
final class Relay implements AutoCloseable {

    private final ServerSocket listening;
    private final int redisPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicReference<Hold> armed = new AtomicReference<>();
    private volatile List<String> blackHoled; // the words of the connections dropped, or null

    private Relay(int redisPort) throws IOException {
        this.redisPort = redisPort;
        this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("relay-accept").start(this::accept);
    }

    /** Starts one in front of the redis-server on {@code redisPort}. */
    static Relay to(int redisPort) throws IOException {
        return new Relay(redisPort);
    }

    /** {@return the URI that reaches Redis through this relay} */
    String uri() {
        return "redis://127.0.0.1:" + listening.getLocalPort();
    }

    /**
     * Holds back the next read from a client that holds every one of {@code words} (as RESP
     * bulk strings, e.g. {@code "SUBSCRIBE"} and a channel's name) until the hold is released.
     */
    Hold holdNext(String... words) {
        Hold hold = new Hold(words);
        assertThat(armed.compareAndSet(null, hold)).as("one hold at a time").isTrue();
        return hold;
    }

    /**
     * Drops, from now on, everything both ways on each connection that sent (now or later)
     * a command with every one of {@code words}, e.g. {@code "SUBSCRIBE"} for a subscriber's;
     * the sockets stay open and silent. New connections are relayed until they send such a command.
     */
    void blackHole(String... words) {
        blackHoled = List.of(words).stream().map(w -> "\r\n" + w + "\r\n").toList();
    }

    /** Forwards again on every connection (what was dropped stays lost). */
    void forwardAgain() {
        blackHoled = null;
    }

    /** Closes every relayed connection, both ways, as a network fault would; new ones are relayed again. */
    void cutAll() {
        sockets.forEach(Relay::closeQuietly);
    }

    private void accept() {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), redisPort);
                sockets.add(client);
                sockets.add(server);
                StringBuilder sent = new StringBuilder(); // what the client sent, for blackHole's words
                Thread.ofPlatform().daemon().name("relay-up").start(() -> pump(client, server, true, sent));
                Thread.ofPlatform().daemon().name("relay-down").start(() -> pump(server, client, false, sent));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean towardRedis, StringBuilder sent) {
        byte[] buffer = new byte[64 * 1024];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                Hold hold = armed.get();
                if (towardRedis && hold != null && hold.matches(buffer, n) && armed.compareAndSet(hold, null)) {
                    hold.held.countDown();
                    hold.released.await();
                }
                if (dropped(sent, towardRedis ? new String(buffer, 0, n, StandardCharsets.ISO_8859_1) : "")) {
                    continue;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException closed) {
            // one side went away: closing both ends passes it on
        } finally {
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    /** Notes what the client sent, and {@return true when this connection is black-holed now} */
    private boolean dropped(StringBuilder sent, String sending) {
        synchronized (sent) {
            if (sent.length() < 1 << 20) {
                sent.append(sending);
            }
            List<String> words = blackHoled;
            return words != null && words.stream().allMatch(w -> sent.indexOf(w) >= 0);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listening.close();
        Hold hold = armed.getAndSet(null);
        if (hold != null) {
            hold.release();
        }
        cutAll();
    }

    /** One command held back on its way to Redis. */
    static final class Hold {
        private final List<String> words;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        private Hold(String... words) {
            // Bulk strings as a client writes them: "\r\nSUBSCRIBE\r\n" matches neither UNSUBSCRIBE nor PSUBSCRIBE.
            this.words = List.of(words).stream().map(w -> "\r\n" + w + "\r\n").toList();
        }

        private boolean matches(byte[] buffer, int length) {
            String text = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
            return words.stream().allMatch(text::contains);
        }

        /** Waits until the command is held, or fails the test after {@link dev.sockit.TestKit#PATIENCE}. */
        void awaitHeld() throws InterruptedException {
            assertThat(held.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the relay held a command with " + words).isTrue();
        }

        /** Lets the command go on to Redis. */
        void release() {
            released.countDown();
        }
    }
}
