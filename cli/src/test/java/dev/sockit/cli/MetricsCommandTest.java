package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.metrics.Scrape;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** sockit server --metrics: Prometheus scrapes what the server did, as a separate process. */
class MetricsCommandTest {

    @Test
    void theServerServesMetricsThatMatchTheClientsTrafficAndPassPromtool() throws Exception {
        try (SockitProcess server = SockitProcess.server("--quiet", "--metrics", "tcp://127.0.0.1:0")) {
            String url = server.awaitOut("Metrics at: http://127\\.0\\.0\\.1:\\d+/metrics");
            int port = Integer.parseInt(url.replaceAll(".*:(\\d+)/metrics", "$1"));
            try (Socket client = new Socket("127.0.0.1", server.port())) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("hello\nworld\n".getBytes(UTF_8));
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8));
                assertThat(in.readLine()).isEqualTo(dev.sockit.Handlers.ACK_REPLY);
                assertThat(in.readLine()).isEqualTo(dev.sockit.Handlers.ACK_REPLY);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String scraped = Scrape.metrics(port);
            // Traffic is read from the server's stats at most every 100 ms: wait for a scrape showing the close in both.
            while (Scrape.value(scraped, "sockit_connections_closed_total{reason=\"peer_closed\"}") != 1
                    || Scrape.value(scraped, "sockit_connections_open") != 0) {
                assertThat(System.nanoTime()).as("the close is counted within 10 s").isLessThan(deadline);
                scraped = Scrape.metrics(port);
            }
            assertThat(Scrape.value(scraped, "sockit_connections_accepted_total")).isEqualTo(1);
            assertThat(Scrape.value(scraped, "sockit_connections_open")).isZero();
            assertThat(Scrape.value(scraped, "sockit_messages_received_total")).isEqualTo(2);
            assertThat(Scrape.value(scraped, "sockit_messages_sent_total")).isEqualTo(2);
            assertThat(Scrape.value(scraped, "sockit_bytes_received_total")).isEqualTo("hello\nworld\n".length());
            assertThat(Scrape.value(scraped, "sockit_bytes_sent_total"))
                    .isEqualTo(2 * (dev.sockit.Handlers.ACK_REPLY.length() + 1));
            assertThat(Scrape.promtoolCheck(scraped)).isBlank();
        }
    }

    @Test
    void metricsOnAnythingButTcpAreRefusedSayingWhatToWrite() throws Exception {
        try (SockitProcess server = SockitProcess.start("server", "tcp://127.0.0.1:0", "--metrics", "udp://127.0.0.1:9464")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(String.join("\n", server.restOfErr())).contains("--metrics tcp://127.0.0.1:9464");
        }
    }
}
