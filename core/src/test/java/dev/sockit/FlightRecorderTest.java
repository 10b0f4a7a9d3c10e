package dev.sockit;

import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server's Flight Recorder events, read back from a recording as `jfr print` reads them. */
class FlightRecorderTest {

    @TempDir
    Path dir;

    // Told after the Flight Recorder's own observer, so its events are committed by then.
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Observer closes = new Observer() {
        @Override
        public void closed(Connection connection, CloseReason reason) {
            closed.countDown();
        }
    };

    /** Runs {@code run} under a recording with the JDK's default settings plus {@code enabled}; returns sockit's events. */
    private List<RecordedEvent> record(ThrowingRunnable run, String... enabled) throws Exception {
        Path file = dir.resolve("run.jfr");
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            for (String event : enabled) {
                recording.enable(event);
            }
            recording.start();
            run.run();
            recording.stop();
            recording.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.sockit.")).toList();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    private void awaitClosed() throws InterruptedException {
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("the connection closed").isTrue();
    }

    @Test
    void aConnectionIsRecordedOpenedAndClosedWithItsTrafficAndReason() throws Exception {
        int[] port = new int[1];
        List<RecordedEvent> events = record(() -> {
            try (Server server = onLoopback().handler(Handlers.echo()).observer(closes).start();
                 Peer peer = Peer.connect(server)) {
                port[0] = peer.socket().getLocalPort();
                assertThat(peer.ask("hello")).isEqualTo("hello");
                assertThat(peer.ask("world")).isEqualTo("world");
                peer.close();
                awaitClosed();
            }
        });
        RecordedEvent opened = named(events, "dev.sockit.ConnectionOpened").getFirst();
        assertThat(opened.getString("remote")).isEqualTo("127.0.0.1:" + port[0]);
        assertThat(opened.getString("protocol")).isEqualTo("tcp");
        List<RecordedEvent> closedEvents = named(events, "dev.sockit.ConnectionClosed");
        assertThat(closedEvents).hasSize(1);
        RecordedEvent closedEvent = closedEvents.getFirst();
        assertThat(closedEvent.getLong("connection")).isEqualTo(opened.getLong("connection"));
        assertThat(closedEvent.getLong("messagesReceived")).isEqualTo(2);
        assertThat(closedEvent.getLong("messagesSent")).isEqualTo(2);
        assertThat(closedEvent.getLong("bytesReceived")).isEqualTo("hello\nworld\n".length());
        assertThat(closedEvent.getLong("bytesSent")).isEqualTo("hello\nworld\n".length());
        assertThat(closedEvent.getString("reasonCode")).isEqualTo("peer_closed");
        assertThat(closedEvent.getDuration("lifetime")).isPositive();
    }

    @Test
    void perMessageEventsAreOffByDefault() throws Exception {
        List<RecordedEvent> events = record(this::talkOnce);
        assertThat(named(events, "dev.sockit.ConnectionClosed")).hasSize(1);
        assertThat(named(events, "dev.sockit.MessageReceived")).isEmpty();
    }

    @Test
    void perMessageEventsComeWhenARecordingAsksForThem() throws Exception {
        List<RecordedEvent> events = record(this::talkOnce, "dev.sockit.MessageReceived");
        assertThat(named(events, "dev.sockit.MessageReceived")).singleElement()
                .satisfies(e -> assertThat(e.getLong("size")).isEqualTo("hello".length()));
    }

    private void talkOnce() throws Exception {
        try (Server server = onLoopback().handler(Handlers.echo()).observer(closes).start();
             Peer peer = Peer.connect(server)) {
            assertThat(peer.ask("hello")).isEqualTo("hello");
            peer.close();
            awaitClosed();
        }
    }

    @Test
    void aSlowReaderDisconnectIsRecordedBeforeItsClose() throws Exception {
        OutboundLimit small = OutboundLimit.of(16 * 1024, 10_000, OutboundLimit.Overflow.DISCONNECT);
        List<RecordedEvent> events = record(() -> {
            try (Server server = onLoopback().handler(Handlers.discard()).outbound(small).observer(closes).start();
                 Socket silent = new Socket("127.0.0.1", server.port())) {
                silent.setReceiveBufferSize(4096);
                TestKit.awaitUntil("connected", () -> server.connections().size() == 1);
                Connection connection = server.connections().iterator().next();
                Message kilobyte = Message.of("y".repeat(1023));
                for (int i = 0; i < 20_000 && connection.isOpen(); i++) {
                    try {
                        connection.send(kilobyte);
                    } catch (ClosedConnectionException expected) {
                        break;
                    }
                }
                awaitClosed();
            }
        });
        RecordedEvent slow = named(events, "dev.sockit.SlowReaderDisconnect").getFirst();
        assertThat(slow.getString("reason")).startsWith("not reading: ");
        RecordedEvent closedEvent = named(events, "dev.sockit.ConnectionClosed").getFirst();
        assertThat(closedEvent.getString("reasonCode")).isEqualTo("limit");
        assertThat(slow.getLong("connection")).isEqualTo(closedEvent.getLong("connection"));
    }

    @Test
    void aFailedTlsHandshakeIsRecorded() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
        List<RecordedEvent> events = record(() -> {
            try (Server server = Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key))
                    .observer(closes).start();
                 Socket plain = new Socket("127.0.0.1", server.port())) {
                plain.getOutputStream().write("hello, not TLS\n".getBytes(StandardCharsets.UTF_8));
                awaitClosed();
            }
        });
        RecordedEvent failure = named(events, "dev.sockit.TlsHandshakeFailure").getFirst();
        assertThat(failure.getString("reason")).startsWith("TLS handshake");
        assertThat(failure.getBoolean("timedOut")).isFalse();
    }

    @Test
    void theServerStatisticsComeAtTheirPeriod() throws Exception {
        BlockingQueue<RecordedEvent> statistics = new LinkedBlockingQueue<>();
        try (RecordingStream stream = new RecordingStream();
             Server server = onLoopback().handler(Handlers.echo()).start();
             Peer peer = Peer.connect(server)) {
            stream.enable("dev.sockit.ServerStatistics").withPeriod(Duration.ofMillis(100));
            stream.onEvent("dev.sockit.ServerStatistics", statistics::add);
            stream.startAsync();
            assertThat(peer.ask("hello")).isEqualTo("hello");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (RecordedEvent event; ; ) {
                event = statistics.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertThat(event).as("statistics counting the message within 10 s").isNotNull();
                if (event.getString("endpoint").equals(server.endpoint().toString()) && event.getLong("messagesReceived") == 1) {
                    assertThat(event.getLong("open")).isEqualTo(1);
                    assertThat(event.getLong("accepted")).isEqualTo(1);
                    break;
                }
            }
        }
    }
}
