package dev.sockit.cli.bench;

import static dev.sockit.cli.bench.BenchRun.bench;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code sockit bench --churn}: short connections of one line each, against real servers on loopback. */
class ChurnBenchTest {

    @Test
    void everyConnectionTheServerAcceptedIsCountedAnsweredAndTheCountsAddUp() throws Exception {
        AtomicLong accepted = new AtomicLong();
        // A plain server that counts what it accepts, answers one line and closes after the client does.
        try (ServerSocket listener = new ServerSocket(0, 200)) {
            Thread server = Thread.ofPlatform().start(() -> serve(listener, accepted, (peer, line) -> {
                peer.getOutputStream().write("ok\n".getBytes(UTF_8));
                peer.getInputStream().read(); // the client's end
            }));

            BenchRun run = bench("tcp://127.0.0.1:" + listener.getLocalPort(), "--churn", "--conns", "3", "--reply", "ok",
                    "--duration", "1s", "--warmup", "0s", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            long started = (long) run.number("started");
            long answered = (long) run.number("answered");
            assertThat(answered).isPositive().isEqualTo(started);
            assertThat(run.number("errors")).isZero();
            // Without a warmup, every connection the server accepted was started in the measured window.
            assertThat(accepted.get()).isEqualTo(started);
            assertThat(run.number("count")).isEqualTo(answered);
            assertThat(run.number("conns_per_s")).isCloseTo(answered / run.number("seconds"),
                    org.assertj.core.data.Percentage.withPercentage(1));
            listener.close();
            server.join(5_000);
        }
    }

    @Test
    void churnsThroughSockitsAckServerAndSaysHowLongAWholeConnectionTook() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(Handlers.ack("ok")).start()) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--churn", "--conns", "4", "--reply", "ok",
                    "--duration", "500ms", "--warmup", "1s", "--server-pid", Long.toString(ProcessHandle.current().pid()));

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).contains("churn, ack, 4 loops", "connections/s", "(connect to reply)", "errors      0",
                    "CPU per connection");
            assertThat(run.err()).contains("conns/s", "(warmup)");
        }
    }

    @Test
    void aRefusedConnectionIsCountedAsAnError() throws Exception {
        int port;
        try (ServerSocket nothing = new ServerSocket(0)) {
            port = nothing.getLocalPort(); // closed again: nothing listens there
        }

        BenchRun run = bench("tcp://127.0.0.1:" + port, "--churn", "--conns", "1", "--duration", "300ms", "--warmup", "0s",
                "--json");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.number("refused")).isPositive().isEqualTo(run.number("errors")).isEqualTo(run.number("started"));
        assertThat(run.number("answered")).isZero();
        assertThat(run.lastErrorLine()).startsWith("sockit: ").contains("refused", "is a server running?");
    }

    @Test
    void aResetBeforeTheReplyIsCountedAsAnError() throws Exception {
        AtomicLong accepted = new AtomicLong();
        try (ServerSocket listener = new ServerSocket(0, 200)) {
            // Reads the line, then closes with SO_LINGER 0: the kernel resets the connection instead of ending it.
            Thread server = Thread.ofPlatform().start(() -> serve(listener, accepted, (peer, line) -> peer.setSoLinger(true, 0)));

            BenchRun run = bench("tcp://127.0.0.1:" + listener.getLocalPort(), "--churn", "--conns", "1",
                    "--duration", "300ms", "--warmup", "0s", "--json");

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.number("reset")).isPositive();
            assertThat(run.number("reset") + run.number("closed")).isEqualTo(run.number("errors"))
                    .isEqualTo(run.number("started"));
            listener.close();
            server.join(5_000);
        }
    }

    @Test
    void aWrongReplyIsCountedAsABadReply() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(Handlers.ack("nope")).start()) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--churn", "--conns", "1", "--reply", "ok",
                    "--duration", "300ms", "--warmup", "0s", "--json");

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.number("bad_reply")).isPositive().isEqualTo(run.number("started"));
            assertThat(run.lastErrorLine()).contains("unexpected reply \"nope\"", "--reply");
        }
    }

    @Test
    void requestOptionsAreRefusedWithChurn() {
        BenchRun depth = bench("tcp://127.0.0.1:1", "--churn", "--depth", "4");
        BenchRun udp = bench("udp://127.0.0.1:1", "--churn");

        assertThat(depth.status()).isEqualTo(2);
        assertThat(depth.err()).startsWith("sockit: --depth does not apply to --churn");
        assertThat(udp.status()).isEqualTo(2);
        assertThat(udp.err()).startsWith("sockit: --churn opens stream connections");
    }

    @Test
    void helpTeachesChurnAndWhatItsLatencyIs() {
        BenchRun run = bench("--help");

        assertThat(run.out()).contains("--churn", "connect to the reply's newline", "TIME_WAIT",
                "sockit bench --churn --conns 16 --duration 5s");
    }

    /** What a test server does with one accepted connection, after reading its line. */
    private interface Answer {
        void answer(Socket peer, String line) throws IOException;
    }

    /** Accepts until the listener closes, one connection at a time. */
    private static void serve(ServerSocket listener, AtomicLong accepted, Answer answer) {
        while (!listener.isClosed()) {
            try (Socket peer = listener.accept()) {
                accepted.incrementAndGet();
                peer.setSoTimeout(5_000);
                String line = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8)).readLine();
                answer.answer(peer, line);
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
                // this connection broke: the generator counts it; serve the next
            }
        }
    }
}
