package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.framing.Frames;
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
    void aPeerThatNeverAnswersPingsIsClosedWithinIntervalTimesMissesPlusOne() throws Exception {
        try (Server server = framedServer().start();
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.getOutputStream().write(Frames.defaults().greeting());
            long start = System.nanoTime();
            DataInputStream in = new DataInputStream(peer.getInputStream());
            peer.setSoTimeout(10_000);
            byte[] greeting = in.readNBytes(Frames.defaults().greeting().length);
            assertThat(greeting).isEqualTo(Frames.defaults().greeting());

            int pings = 0;
            for (int type; (type = in.read()) != -1; ) {
                int length = in.readInt();
                in.readNBytes(length);
                if (type == 0x02) {
                    pings++;
                }
                if (type == 0x04) {
                    break; // the close frame
                }
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(pings).isEqualTo(MISSES);
            long deadline = INTERVAL.toMillis() * (MISSES + 1);
            assertThat(elapsed).isBetween(deadline - 50, deadline + 1_000);
            CloseReason reason = reasons.poll(5, TimeUnit.SECONDS);
            assertThat(reason.code()).isEqualTo(CloseReason.Code.TIMEOUT);
            assertThat(reason.text()).startsWith("no heartbeat: 2 pings unanswered");
        }
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
