package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.framing.Frames;
import dev.sockit.testing.ManualClock;
import dev.sockit.transport.SocketConnection;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Heartbeats over the frames framing, against a raw socket peer and a sockit client. */
class HeartbeatTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final int MISSES = 2;

    private final BlockingQueue<CloseReason> reasons = new LinkedBlockingQueue<>();
    private final Observer closes = new Observer() {
        @Override
        public void closed(Connection connection, CloseReason reason) {
            reasons.add(reason);
        }
    };

    private Server.Builder framedServer() {
        return onLoopback().framing(Frames.defaults()).handler(Handlers.echo())
                .heartbeat(Heartbeat.every(INTERVAL).misses(MISSES)).observer(closes);
    }

    @Test
    void aPeerThatNeverAnswersPingsIsClosedAfterIntervalTimesMissesPlusOne() throws Exception {
        ManualClock clock = new ManualClock();
        try (Server server = framedServer().clock(clock).start();
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.getOutputStream().write(Frames.defaults().greeting());
            DataInputStream in = new DataInputStream(peer.getInputStream());
            peer.setSoTimeout(10_000);
            byte[] greeting = in.readNBytes(Frames.defaults().greeting().length);
            assertThat(greeting).isEqualTo(Frames.defaults().greeting());
            awaitUntil("the server heard the greeting", () -> server.stats().bytesIn() >= greeting.length);
            Connection served = server.connections().iterator().next();

            for (int ping = 1; ping <= MISSES; ping++) {
                clock.advance(INTERVAL.minusNanos(1));
                assertThat(served.isOpen()).isTrue();
                clock.advance(Duration.ofNanos(1));
                assertThat(readFrameType(in)).as("frame after interval " + ping).isEqualTo(0x02);
            }
            clock.advance(INTERVAL.minusNanos(1));
            assertThat(served.isOpen()).isTrue();
            clock.advance(Duration.ofNanos(1));
            assertThat(served.isOpen()).isFalse();
            assertThat(readFrameType(in)).isEqualTo(0x04); // the close frame
            CloseReason reason = reasons.poll(5, TimeUnit.SECONDS);
            assertThat(reason.code()).isEqualTo(CloseReason.Code.TIMEOUT);
            assertThat(reason.text()).startsWith("no heartbeat: 2 pings unanswered");
        }
    }

    @Test
    void aPeerWhoseBytesWaitUnreadIsNotClosedWhileTheHandlerOnlyPushes() throws Exception {
        ManualClock clock = new ManualClock();
        Handler pushOnly = connection -> {
            connection.send("hello");
            new java.util.concurrent.CountDownLatch(1).await(); // never reads
        };
        try (Server server = framedServer().handler(pushOnly).clock(clock).start();
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout(10_000);
            peer.getOutputStream().write(Frames.defaults().greeting());
            DataInputStream in = new DataInputStream(peer.getInputStream());
            in.readNBytes(Frames.defaults().greeting().length);
            assertThat(readFrameType(in)).isEqualTo(0x01); // hello
            SocketConnection served = (SocketConnection) server.connections().iterator().next();
            for (int step = 1; step <= (MISSES + 1) * 3; step++) {
                int before = served.unreadBytes();
                // An answer the handler never reads: it still proves the peer alive.
                peer.getOutputStream().write(frame(0x03, "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                awaitUntil("the answer waits at the server", () -> served.unreadBytes() > before);
                clock.advance(INTERVAL);
                assertThat(served.isOpen()).as("open after interval " + step).isTrue();
            }
            assertThat(reasons).isEmpty();
        }
    }

    private byte[] lastPayload;

    private int readFrameType(DataInputStream in) throws java.io.IOException {
        int type = in.read();
        lastPayload = in.readNBytes(in.readInt());
        return type;
    }

    private static byte[] frame(int type, byte[] payload) {
        return java.nio.ByteBuffer.allocate(5 + payload.length).put((byte) type).putInt(payload.length).put(payload).array();
    }

    @Test
    void aSilentButAnsweringClientIsKeptAliveAndItsRoundTripMeasured() throws Exception {
        try (Server server = framedServer().start();
             Connection client = Client.connect(server.endpoint()).framing(Frames.defaults()).open()) {
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    while (client.receive() != null) {
                        // nothing comes but pings, answered inside receive()
                    }
                } catch (java.io.IOException ignored) {
                    // checked below
                }
            });
            awaitUntil("the server measured a round trip",
                    () -> server.connections().stream().anyMatch(c -> c.roundTrip().isPresent()));
            Connection served = server.connections().iterator().next();
            // Silent for well over interval × (misses + 1), yet alive: the pongs count.
            long aliveUntil = System.nanoTime() + INTERVAL.multipliedBy(MISSES + 3).toNanos();
            awaitUntil("several intervals pass", () -> System.nanoTime() > aliveUntil);
            assertThat(served.isOpen()).isTrue();
            assertThat(served.roundTrip().orElseThrow()).isLessThan(Duration.ofSeconds(1));
            assertThat(reasons).isEmpty();
            client.close();
            reader.join(5_000);
        }
    }

    @Test
    void aLinesClientMeetingAFramesServerIsToldWhatItIsTalkingTo() throws Exception {
        try (Server server = framedServer().start();
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout(10_000);
            peer.getOutputStream().write("hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            InputStream in = peer.getInputStream();
            String everything = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(everything).contains("--framing lines");
            CloseReason reason = reasons.poll(5, TimeUnit.SECONDS);
            assertThat(reason.code()).isEqualTo(CloseReason.Code.PROTOCOL_ERROR);
        }
    }
}
