package dev.sockit.cli.bench;

import static dev.sockit.cli.bench.BenchRun.bench;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import org.junit.jupiter.api.Test;

/** {@code sockit bench ws://...} against sockit's own WebSocket server, a second each. */
class WebSocketBenchTest {

    @Test
    void anEchoRunOverWebSocketVerifiesEveryReply() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("ws://127.0.0.1:0/echo")).handler(Handlers.echo()).start()) {
            for (String size : new String[] {"64", "70000"}) { // a 2-byte and an 8-byte frame length
                BenchRun run = bench("ws://127.0.0.1:" + server.port() + "/echo", "--conns", "4", "--depth", "4",
                        "--size", size, "--duration", "1s", "--warmup", "0s", "--json");
                assertThat(run.status()).as(run.err()).isZero();
                assertThat(run.number("msgs_per_s")).isPositive();
                assertThat(run.number("errors")).isZero();
            }
        }
    }

    @Test
    void anAckRunOverWebSocketCatchesAWrongReply() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("ws://127.0.0.1:0/")).handler(Handlers.ack("ok")).start()) {
            BenchRun bad = bench("ws://127.0.0.1:" + server.port() + "/", "--mode", "ack", "--reply", "yes", "--conns",
                    "1", "--duration", "500ms", "--warmup", "0s", "--json");
            assertThat(bad.number("errors")).isPositive();
        }
    }

    @Test
    void aWrongPathSaysWhatTheServerAnswered() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("ws://127.0.0.1:0/echo")).handler(Handlers.echo()).start()) {
            BenchRun run = bench("ws://127.0.0.1:" + server.port() + "/nowhere", "--duration", "500ms");
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err()).contains("404").contains("is the path right?");
        }
    }
}
