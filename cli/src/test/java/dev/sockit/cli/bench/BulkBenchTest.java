package dev.sockit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import dev.sockit.cli.BenchCommand;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sockit bench --mode discard}: a bulk transfer against real servers on loopback, about a second each. */
class BulkBenchTest {

    /** What one execution printed and returned. */
    private record Run(int status, String out, String err) {
        double number(String field) {
            Matcher m = Pattern.compile("\"" + field + "\":(-?[0-9.]+)").matcher(out);
            assertThat(m.find()).as("field %s in %s", field, out).isTrue();
            return Double.parseDouble(m.group(1));
        }

        String lastErrorLine() {
            String[] lines = err.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Run bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new CommandLine(new BenchCommand())
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
        return new Run(status, out.toString(), err.toString());
    }

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

            Run run = bench("tcp://127.0.0.1:" + listener.getLocalPort(), "--mode", "discard", "--duration", "1s",
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
            Run run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "discard", "--conns", "3", "--size", "65536",
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
            Run run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "discard", "--duration", "500ms",
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
            Run run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "discard", "--duration", "1s",
                    "--warmup", "0s", "--json");

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.number("errors")).isPositive();
            assertThat(run.lastErrorLine()).startsWith("sockit: ")
                    .contains("--mode discard --framing raw");
        }
    }

    @Test
    void requestOptionsAreRefusedInDiscardMode() {
        Run run = bench("tcp://127.0.0.1:1", "--mode", "discard", "--depth", "16");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("sockit: --depth does not apply to --mode discard");
    }

    @Test
    void udpIsRefusedInDiscardMode() {
        Run run = bench("udp://127.0.0.1:1", "--mode", "discard");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("sockit: --mode discard needs a stream");
    }

    @Test
    void helpTeachesTheBulkTransfer() {
        Run run = bench("--help");

        assertThat(run.out()).contains("echo|ack|discard", "--mode discard", "Gbit/s",
                "sockit server tcp://127.0.0.1:9000 --mode discard --framing raw");
    }
}
