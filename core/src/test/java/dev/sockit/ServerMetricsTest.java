package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.metrics.Metrics;
import dev.sockit.metrics.PrometheusEndpoint;
import dev.sockit.metrics.PrometheusText;
import dev.sockit.metrics.Scrape;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server's sockit_* metrics, scraped over HTTP as Prometheus does, against what plain sockets did. */
class ServerMetricsTest {

    private final Metrics metrics = new Metrics();

    private long value(String series) {
        return Scrape.value(PrometheusText.of(metrics), series);
    }

    @Test
    void theScrapedFiguresAreWhatTheClientDidAndPromtoolAcceptsThem() throws Exception {
        try (Server server = onLoopback().handler(Handlers.echo()).metrics(metrics).start();
             PrometheusEndpoint http = PrometheusEndpoint.start(metrics, Endpoint.parse("tcp://127.0.0.1:0"))) {
            try (Peer peer = Peer.connect(server)) {
                assertThat(peer.ask("one")).isEqualTo("one");
                assertThat(peer.ask("two")).isEqualTo("two");
                assertThat(peer.ask("three")).isEqualTo("three");
            }
            // Traffic is read from Server.stats() at most every 100 ms: await a scrape that shows the close in both.
            String[] scraped = new String[1];
            awaitUntil("a scrape shows the close", () -> {
                scraped[0] = PrometheusText.of(metrics);
                return Scrape.value(scraped[0], "sockit_connections_closed_total{reason=\"peer_closed\"}") == 1
                        && Scrape.value(scraped[0], "sockit_connections_open") == 0;
            });
            String text = Scrape.metrics(http.endpoint().port());
            int bytes = "one\ntwo\nthree\n".length();
            assertThat(Scrape.value(text, "sockit_connections_open")).isZero();
            assertThat(Scrape.value(text, "sockit_connections_accepted_total")).isEqualTo(1);
            assertThat(Scrape.value(text, "sockit_messages_received_total")).isEqualTo(3);
            assertThat(Scrape.value(text, "sockit_messages_sent_total")).isEqualTo(3);
            assertThat(Scrape.value(text, "sockit_bytes_received_total")).isEqualTo(bytes);
            assertThat(Scrape.value(text, "sockit_bytes_sent_total")).isEqualTo(bytes);
            assertThat(Scrape.value(text, "sockit_connections_closed_total{reason=\"timeout\"}")).isZero();
            assertThat(Scrape.promtoolCheck(text)).isBlank();
        }
    }

    @Test
    void handlerTimeIsAHistogramWithOneCountPerMessage() throws Exception {
        try (Server server = onLoopback().handler(Handlers.echo()).metrics(metrics).handlerTiming(true).start()) {
            try (Peer peer = Peer.connect(server)) {
                for (String line : new String[] {"one", "two", "three"}) {
                    assertThat(peer.ask(line)).isEqualTo(line);
                }
            }
            // The last message's time is taken when the handler asks for the next, and hears the end.
            awaitUntil("the third message is timed", () -> value("sockit_handler_seconds_count") == 3);
            String text = PrometheusText.of(metrics);
            assertThat(Scrape.value(text, "sockit_handler_seconds_bucket{le=\"+Inf\"}")).isEqualTo(3);
            assertThat(Scrape.promtoolCheck(text)).isBlank();
        }
    }

    @Test
    void handlerTimeIsNotMeasuredUnlessAskedFor() throws Exception {
        try (Server server = onLoopback().metrics(metrics).start()) {
            assertThat(PrometheusText.of(metrics)).doesNotContain("sockit_handler_seconds");
        }
    }

    @Test
    void anOpenConnectionIsAGaugeOfOne() throws Exception {
        try (Server server = onLoopback().metrics(metrics).start(); Peer peer = Peer.connect(server)) {
            peer.ask("hello");
            assertThat(value("sockit_connections_open")).isEqualTo(1);
        }
    }

    @Test
    void refusedPeersAreCountedByCause() throws Exception {
        try (Server server = onLoopback().deny("127.0.0.2").maxConnections(1).metrics(metrics).start();
             Peer admitted = Peer.connect(server)) {
            admitted.ask("hello");
            try (Peer stranger = Peer.connectFrom("127.0.0.2", server.port())) {
                assertThat(stranger.atEndOfStream()).isTrue();
            }
            try (Peer oneTooMany = Peer.connect(server)) {
                assertThat(oneTooMany.readLine()).startsWith("error: server busy");
            }
            awaitUntil("both refusals counted", () -> value("sockit_connections_refused_total{cause=\"denied\"}") == 1
                    && value("sockit_connections_refused_total{cause=\"limit\"}") == 1);
            assertThat(value("sockit_connections_refused_total{cause=\"per_source\"}")).isZero();
            assertThat(value("sockit_connections_accepted_total")).isEqualTo(1);
        }
    }

    @Test
    void aPeerOverThePerSourceLimitIsCountedAsSuch() throws Exception {
        try (Server server = onLoopback().maxPerSource(1).metrics(metrics).start(); Peer first = Peer.connect(server)) {
            first.ask("hello");
            try (Peer second = Peer.connect(server)) {
                assertThat(second.readLine()).startsWith("error: too many connections from 127.0.0.1");
            }
            awaitUntil("the refusal counted", () -> value("sockit_connections_refused_total{cause=\"per_source\"}") == 1);
        }
    }

    private static final Message KILOBYTE = Message.of("y".repeat(1023));

    /** The server's side of {@code silent}, a peer that never reads, with a small window so that it fills fast. */
    private static Connection connectionOf(Server server, Socket silent) throws Exception {
        silent.setReceiveBufferSize(4096);
        awaitUntil("connected", () -> server.connections().size() == 1);
        return server.connections().iterator().next();
    }

    @Test
    void aPeerThatNeverReadsIsCountedAsASlowReaderDisconnect() throws Exception {
        OutboundLimit small = OutboundLimit.of(16 * 1024, 10_000, OutboundLimit.Overflow.DISCONNECT);
        try (Server server = onLoopback().handler(Handlers.discard()).outbound(small).metrics(metrics).start();
             Socket silent = new Socket("127.0.0.1", server.port())) {
            Connection connection = connectionOf(server, silent);
            // 20 MB at most, far more than the limit and both kernels' buffers; the limit ends it first.
            for (int i = 0; i < 20_000 && connection.isOpen(); i++) {
                try {
                    connection.send(KILOBYTE);
                } catch (ClosedConnectionException expected) {
                    break;
                }
            }
            awaitUntil("the disconnect counted", () -> value("sockit_connections_closed_total{reason=\"limit\"}") == 1);
            assertThat(value("sockit_slow_reader_disconnects_total")).isEqualTo(1);
        }
    }

    @Test
    void pushesDroppedForASlowPeerAreCountedEach() throws Exception {
        OutboundLimit small = OutboundLimit.of(16 * 1024, 10_000, OutboundLimit.Overflow.DROP);
        try (Server server = onLoopback().handler(Handlers.discard()).outbound(small).metrics(metrics).start();
             Socket silent = new Socket("127.0.0.1", server.port())) {
            Connection connection = connectionOf(server, silent);
            for (int i = 0; i < 20_000; i++) {
                connection.send(KILOBYTE);
            }
            long dropped = connection.stats().dropped();
            assertThat(dropped).isPositive();
            assertThat(value("sockit_pushes_dropped_total")).isEqualTo(dropped);
        }
    }

    @Test
    void aFailedTlsHandshakeIsCountedAsARefusal(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
        try (Server server = Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key))
                .metrics(metrics).start();
             Socket plain = new Socket("127.0.0.1", server.port())) {
            plain.getOutputStream().write("hello, not TLS\n".getBytes(StandardCharsets.UTF_8));
            awaitUntil("the handshake failure counted",
                    () -> value("sockit_connections_refused_total{cause=\"tls_handshake\"}") == 1);
        }
    }

    @Test
    void anotherPathThanMetricsIsNotFound() throws Exception {
        try (PrometheusEndpoint http = PrometheusEndpoint.start(metrics, Endpoint.parse("tcp://127.0.0.1:0"))) {
            assertThat(Scrape.get(http.endpoint().port(), "/")).startsWith("HTTP/1.1 404");
        }
    }

    @Test
    void oneRegistryRefusesASecondServer() throws Exception {
        try (Server first = onLoopback().metrics(metrics).start()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> onLoopback().metrics(metrics).start())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
        }
    }
}
