package dev.sockit.cli.bench;

import static dev.sockit.cli.bench.BenchRun.bench;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code sockit bench --mode discard}: a bulk transfer against real servers on loopback, about a second each. */
class BulkBenchTest {



    @Test
    void neverReportsMoreBytesThanAPlainSocketPeerRead() throws Exception {
        try (ServerSocket listener = new ServerSocket(0)) {
            // Reads and counts until the generator closes: the most the run can honestly claim.
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = listener.accept(); InputStream in = peer.getInputStream()) {
                    byte[] buffer = new byte[64 * 1024];
                    long total = 0;
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        total += n;
                    }
                    return total;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            BenchRun run = bench("tcp://127.0.0.1:" + listener.getLocalPort(), "--mode", "discard", "--duration", "1s",
                    "--warmup", "0s", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            long peerRead = read.get(5, TimeUnit.SECONDS);
            assertThat(run.number("bytes")).isPositive().isLessThanOrEqualTo(peerRead);
            assertThat(run.number("gbit_per_s")).isCloseTo(run.number("mb_per_s") * 8 / 1000,
                    org.assertj.core.data.Percentage.withPercentage(1));
            assertThat(run.number("errors")).isZero();
        }
    }

    @Test
    void loadsSockitsRawDiscardServerOverSeveralConnections() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"))
                .framing(dev.sockit.framing.Raw.bytes()).handler(Handlers.discard()).start()) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "discard", "--conns", "3", "--size", "65536",
                    "--duration", "1s", "--warmup", "200ms", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).contains("\"mode\":\"discard\"", "\"conns\":3", "\"size\":65536");
            assertThat(run.number("gbit_per_s")).isPositive();
            assertThat(run.number("lost_connections")).isZero();
            assertThat(run.err()).contains("Gbit/s", "(warmup)");
        }
    }

    @Test
    void theSummaryGivesGigabitsAndMegabytesPerSecond() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"))
                .framing(dev.sockit.framing.Raw.bytes()).handler(Handlers.discard()).start()) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "discard", "--duration", "500ms",
                    "--warmup", "0s");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).contains("discard, 1 connection, 131,072-byte writes", "Gbit/s", "MB/s",
                    "errors      0", "generator");
        }
    }

    @Test
    void aLinesServerThatClosesOnRawBytesFailsTheRunAndSaysHowToStartADiscardServer() throws Exception {
        // The lines framing refuses a "line" past 64 KiB: it says so and closes the connection.
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(Handlers.discard()).start()) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "discard", "--duration", "1s",
                    "--warmup", "0s", "--json");

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.number("errors")).isPositive();
            assertThat(run.lastErrorLine()).startsWith("sockit: ")
                    .contains("--mode discard --framing raw");
        }
    }

    @Test
    void requestOptionsAreRefusedInDiscardMode() {
        BenchRun run = bench("tcp://127.0.0.1:1", "--mode", "discard", "--depth", "16");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("sockit: --depth does not apply to --mode discard");
    }

    @Test
    void udpIsRefusedInDiscardMode() {
        BenchRun run = bench("udp://127.0.0.1:1", "--mode", "discard");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("sockit: --mode discard needs a stream");
    }

    @Test
    void helpTeachesTheBulkTransfer() {
        BenchRun run = bench("--help");

        assertThat(run.out()).contains("ack|echo|discard", "--mode discard", "Gbit/s",
                "sockit server tcp://127.0.0.1:9000 --mode discard --framing raw");
    }
}
