package dev.sockit.micrometer;

import static dev.sockit.TestKit.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import dev.sockit.TestKit.Peer;
import dev.sockit.metrics.Histogram;
import dev.sockit.metrics.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A server's metrics read through Micrometer, against what a plain-socket client did. */
class SockitMetersTest {

    private final Metrics metrics = new Metrics();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void micrometerReadsTheServersCountersGaugesAndTaggedCloses() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(Handlers.echo())
                .metrics(metrics).start()) {
            new SockitMeters(metrics).bindTo(registry);
            try (Peer peer = Peer.connect(server)) {
                assertThat(peer.ask("hello")).isEqualTo("hello");
                assertThat(peer.ask("world")).isEqualTo("world");
                assertThat(registry.get("sockit.connections.open").gauge().value()).isEqualTo(1);
            }
            awaitUntil("the close is counted", () -> registry.get("sockit.connections.closed")
                    .tag("reason", "peer_closed").functionCounter().count() == 1);
            assertThat(registry.get("sockit.connections.accepted").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("sockit.messages.received").functionCounter().count()).isEqualTo(2);
            // The server counts a write's bytes once the write returned, which may be after the
            // peer read them, and the figures are read from one snapshot for 100 ms: the gauge's
            // read above may have taken it in between.
            awaitUntil("the bytes sent are counted", () -> registry.get("sockit.bytes.sent").functionCounter().count()
                    == "hello\nworld\n".length());
            assertThat(registry.get("sockit.connections.closed").tag("reason", "timeout").functionCounter().count())
                    .isZero();
        }
    }

    @Test
    void aHistogramBecomesATimerWithItsCountAndTotal() {
        Histogram handling = metrics.histogram("sockit_handler_seconds", "Handler time per message.",
                Histogram.LATENCY_BOUNDS);
        new SockitMeters(metrics).bindTo(registry);
        handling.record(Duration.ofMillis(3).toNanos());
        handling.record(Duration.ofMillis(5).toNanos());
        var timer = registry.get("sockit.handler").functionTimer();
        assertThat(timer.count()).isEqualTo(2);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(8);
    }
}
