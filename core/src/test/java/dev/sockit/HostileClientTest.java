package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static dev.sockit.TestKit.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockit.TestKit.Peer;
import dev.sockit.framing.Frames;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Clients that attack the server or break under it, against a real server on loopback: slow
 * trickles, floods of connects and resets, peers that reset, half-close or go silent in the
 * middle of a message. Every loop is bounded in count and in time.
 */
class HostileClientTest {

    private static final String ACK = Handlers.ACK_REPLY;

    /** A handler that records every message it handled, then acknowledges it. */
    private static final class Recording implements Handler {
        final Queue<String> handled = new ConcurrentLinkedQueue<>();

        @Override
        public void handle(Connection connection) throws IOException {
            for (Message message; (message = connection.receive()) != null; ) {
                handled.add(message.text());
                connection.send("ok " + message.text());
            }
        }
    }

    /** Records how each connection ended. */
    private static final class Ends implements Observer {
        final BlockingQueue<CloseReason> closed = new LinkedBlockingQueue<>();

        @Override
        public void closed(Connection connection, CloseReason reason) {
            closed.add(reason);
        }

        CloseReason next() throws InterruptedException {
            return closed.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    // ---- slowloris ----

    @Test
    void twoHundredClientsTricklingBytesWithoutANewlineDoNotSlowDownAWellBehavedClient() throws Exception {
        int trickling = 200;
        List<Socket> slow = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong trickled = new AtomicLong();
        try (Server server = onLoopback().start()) {
            for (int i = 0; i < trickling; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.setTcpNoDelay(true);
                slow.add(socket);
            }
            awaitUntil("every trickler is connected", () -> server.connections().size() == trickling);
            // One byte to each in turn, over and over, never a newline: the slowloris attack.
            Thread trickler = Thread.ofPlatform().name("trickler").start(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                try {
                    while (!stop.get() && System.nanoTime() < deadline) {
                        for (Socket socket : slow) {
                            socket.getOutputStream().write('x');
                            trickled.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    throw new AssertionError("the server dropped a trickler within the line limit", e);
                }
            });
            try (Peer polite = Peer.connect(server)) {
                awaitUntil("the trickle is under way", () -> trickled.get() > 10L * trickling);
                long worst = 0;
                for (int i = 0; i < 50; i++) {
                    long start = System.nanoTime();
                    assertThat(polite.ask("hello " + i)).isEqualTo(ACK);
                    worst = Math.max(worst, System.nanoTime() - start);
                }
                assertThat(Duration.ofNanos(worst)).as("the slowest of 50 answers while " + trickling
                        + " clients trickle").isLessThan(Duration.ofSeconds(1));
            } finally {
                stop.set(true);
                trickler.join(PATIENCE);
            }
            assertThat(trickled.get()).as("bytes trickled").isGreaterThan(10L * trickling);
            // The polite client has just left; every trickler is still there, within the line limit.
            awaitUntil("only the tricklers are connected", () -> server.connections().size() == trickling);
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void clientsTricklingIntoHugePartialFramesDoNotSlowDownAWellBehavedClient() throws Exception {
        // Each trickler has most of a 1 MiB frame buffered at the server and adds a byte at a
        // time: the server must not pay for what it already holds on every byte that arrives.
        int trickling = 40;
        int held = 1000 * 1024;
        List<Socket> slow = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong trickled = new AtomicLong();
        try (Server server = onLoopback().framing(Frames.defaults()).handler(Handlers.echo()).start()) {
            byte[] start = ByteBuffer.allocate(5 + 5 + held).put(Frames.defaults().greeting())
                    .put((byte) 0x01).putInt(Frames.DEFAULT_MAX_LENGTH).array();
            for (int i = 0; i < trickling; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.setTcpNoDelay(true);
                socket.getOutputStream().write(start);
                slow.add(socket);
            }
            awaitUntil("every trickler is connected", () -> server.connections().size() == trickling);
            awaitUntil("the server holds each partial frame", () -> server.stats().bytesIn() >= (long) trickling * start.length);
            Thread trickler = Thread.ofPlatform().name("trickler").start(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                try {
                    while (!stop.get() && System.nanoTime() < deadline) {
                        for (Socket socket : slow) {
                            socket.getOutputStream().write(0);
                            trickled.incrementAndGet();
                        }
                        // A trickle, not a stream: let each byte arrive on its own.
                        Thread.onSpinWait();
                    }
                } catch (IOException e) {
                    throw new AssertionError("the server dropped a trickler within the frame limit", e);
                }
            });
            try (Socket polite = new Socket("127.0.0.1", server.port())) {
                polite.setSoTimeout((int) PATIENCE.toMillis());
                OutputStream out = polite.getOutputStream();
                DataInputStream in = new DataInputStream(polite.getInputStream());
                out.write(Frames.defaults().greeting());
                in.readNBytes(5);
                awaitUntil("the trickle is under way", () -> trickled.get() > 10L * trickling);
                long worst = 0;
                for (int i = 0; i < 30; i++) {
                    long begin = System.nanoTime();
                    out.write(new byte[] {1, 0, 0, 0, 2, 'h', 'i'});
                    assertThat(in.readByte()).isEqualTo((byte) 1);
                    assertThat(in.readNBytes(in.readInt())).isEqualTo(utf8("hi"));
                    worst = Math.max(worst, System.nanoTime() - begin);
                }
                assertThat(Duration.ofNanos(worst)).as("the slowest of 30 echoes while " + trickling
                        + " clients trickle into 1 MiB frames (" + trickled.get() + " bytes trickled)")
                        .isLessThan(Duration.ofSeconds(1));
            } finally {
                stop.set(true);
                trickler.join(PATIENCE);
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    // ---- floods ----

    @Test
    void twoThousandConnectsAndClosesLeakNoFileDescriptorsNorThreads() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to count open file descriptors");
        Recording recording = new Recording();
        try (Server server = onLoopback().handler(recording).start()) {
            SplittableRandom random = new SplittableRandom(42);
            flood(server, random, 100); // warm up: the timer thread, carriers, class loading
            awaitUntil("the warm-up was accepted", () -> server.stats().accepted() >= 100);
            awaitUntil("the warm-up's connections are gone", () -> server.connections().isEmpty());
            long fdsBefore = count(fds);
            int threadsBefore = platformThreads();

            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            int cycles = flood(server, random, 2000);
            assertThat(System.nanoTime()).as("the flood finished in time").isLessThan(deadline);

            // A client that connected and closed at once may still wait in the listen backlog
            // when the last live connection has gone: every one must be accepted before the
            // descriptors are counted, or the count is taken too early.
            awaitUntil("every connection of the flood was accepted", () -> server.stats().accepted() >= cycles + 100);
            awaitUntil("every connection is gone", () -> server.connections().isEmpty());
            awaitUntil("open file descriptors are back to " + fdsBefore + " (+2)", () -> count(fds) <= fdsBefore + 2);
            awaitUntil("platform threads are back to " + threadsBefore + " (+2)", () -> platformThreads() <= threadsBefore + 2);
            // Still serving, normally.
            try (Peer peer = Peer.connect(server)) {
                assertThat(peer.ask("still there?")).isEqualTo("ok still there?");
            }
        }
    }

    /** Connects and leaves {@code cycles} times, each in one of five rude or ordinary ways. */
    private static int flood(Server server, SplittableRandom random, int cycles) throws IOException {
        for (int i = 0; i < cycles; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) PATIENCE.toMillis());
                socket.setSoTimeout((int) PATIENCE.toMillis());
                switch (random.nextInt(5)) {
                    case 0 -> { } // connect and close at once
                    case 1 -> socket.setSoLinger(true, 0); // reset at once
                    case 2 -> socket.getOutputStream().write(utf8("half a li")); // then FIN
                    case 3 -> { // half a line, then reset
                        socket.getOutputStream().write(utf8("half a li"));
                        socket.setSoLinger(true, 0);
                    }
                    default -> { // a whole exchange, then close
                        socket.getOutputStream().write(utf8("hello\n"));
                        assertThat(socket.getInputStream().read()).isEqualTo('o');
                    }
                }
            }
        }
        return cycles;
    }

    private static long count(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int platformThreads() {
        // Live platform threads; virtual ones are not listed, and a leaked handler shows as a connection that never leaves.
        return Thread.getAllStackTraces().size();
    }

    // ---- peers that break mid-message ----

    @Test
    void aPeerThatResetsInTheMiddleOfALineHasNoneOfItHandledAndOthersGoOn() throws Exception {
        Recording recording = new Recording();
        Ends ends = new Ends();
        try (Server server = onLoopback().handler(recording).observer(ends).start();
                Peer other = Peer.connect(server)) {
            Peer rude = Peer.connect(server);
            assertThat(rude.ask("whole")).isEqualTo("ok whole");
            rude.write("half a li");
            awaitUntil("the server has read the half line", () -> server.stats().bytesIn() >= 6 + 9);
            rude.socket().setSoLinger(true, 0);
            rude.close();
            assertThat(ends.next().code()).isEqualTo(CloseReason.Code.BROKEN);
            assertThat(recording.handled).containsExactly("whole");
            assertThat(other.ask("and me")).isEqualTo("ok and me");
            awaitUntil("the reset connection is gone", () -> server.connections().size() == 1);
        }
    }

    @Test
    void aPeerThatResetsInTheMiddleOfAFrameHasNoneOfItHandled() throws Exception {
        Recording recording = new Recording();
        Ends ends = new Ends();
        try (Server server = onLoopback().framing(Frames.defaults()).handler(recording).observer(ends).start();
                Socket rude = new Socket("127.0.0.1", server.port())) {
            OutputStream out = rude.getOutputStream();
            out.write(Frames.defaults().greeting());
            out.write(new byte[] {1, 0, 0, 0, 5, 'w', 'h', 'o', 'l', 'e'});
            out.write(new byte[] {1, 0, 0, 0, 10, 'h', 'a', 'l', 'f'});
            awaitUntil("the server has read the half frame", () -> server.stats().bytesIn() >= 5 + 10 + 9);
            rude.setSoLinger(true, 0);
            rude.close();
            assertThat(ends.next().code()).isEqualTo(CloseReason.Code.BROKEN);
            assertThat(recording.handled).containsExactly("whole");
            awaitUntil("the connection is gone", () -> server.connections().isEmpty());
        }
    }

    @Test
    void aPeerThatHalfClosesInTheMiddleOfAFrameIsToldItBrokeTheProtocolAndHasNoneOfItHandled() throws Exception {
        Recording recording = new Recording();
        Ends ends = new Ends();
        try (Server server = onLoopback().framing(Frames.defaults()).handler(recording).observer(ends).start();
                Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout((int) PATIENCE.toMillis());
            OutputStream out = peer.getOutputStream();
            out.write(Frames.defaults().greeting());
            out.write(new byte[] {1, 0, 0, 0, 5, 'w', 'h', 'o', 'l', 'e'});
            out.write(new byte[] {1, 0, 0, 0, 10, 'h', 'a', 'l', 'f'});
            peer.shutdownOutput();
            DataInputStream in = new DataInputStream(peer.getInputStream());
            assertThat(in.readNBytes(5)).isEqualTo(Frames.defaults().greeting());
            // The reply to the whole frame, then a CLOSE saying what was wrong, then the end.
            assertThat(in.readByte()).isEqualTo((byte) 1);
            assertThat(new String(in.readNBytes(in.readInt()), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("ok whole");
            assertThat(in.readByte()).isEqualTo((byte) 4);
            byte[] close = in.readNBytes(in.readInt());
            assertThat(ByteBuffer.wrap(close).getShort() & 0xFFFF).isEqualTo(Frames.CLOSE_PROTOCOL_ERROR);
            assertThat(new String(close, 2, close.length - 2, java.nio.charset.StandardCharsets.UTF_8)).contains("ended inside");
            assertThat(in.read()).isEqualTo(-1);
            assertThat(ends.next().code()).isEqualTo(CloseReason.Code.PROTOCOL_ERROR);
            assertThat(recording.handled).containsExactly("whole");
        }
    }

    @Test
    void aPeerThatGoesSilentInTheMiddleOfALineIsClosedAtTheIdleTimeoutWithNoneOfItHandled() throws Exception {
        Recording recording = new Recording();
        Ends ends = new Ends();
        Duration idle = Duration.ofMillis(300);
        try (Server server = onLoopback().handler(recording).observer(ends)
                .heartbeat(Heartbeat.DEFAULT.idleTimeout(idle)).start();
                Peer vanished = Peer.connect(server)) {
            vanished.write("whole\nhalf a li");
            assertThat(vanished.readLine()).isEqualTo("ok whole");
            long start = System.nanoTime();
            // It sends nothing more and reads nothing more, like a host that lost power.
            CloseReason reason = ends.next();
            assertThat(reason.code()).isEqualTo(CloseReason.Code.TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(idle.plusSeconds(2));
            assertThat(recording.handled).containsExactly("whole");
            awaitUntil("the connection is gone", () -> server.connections().isEmpty());
        }
    }
}
