package dev.sockit.cli.bench;

import static dev.sockit.cli.bench.BenchRun.bench;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.MessageHandler;
import dev.sockit.Server;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Runs {@code sockit bench} against a real sockit server on loopback, for about a second each. */
class BenchCommandTest {



    private static Server start(dev.sockit.Handler handler) throws IOException {
        return Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(handler).start();
    }

    @Test
    void aShortEchoRunReportsThroughputAndNoErrors() throws Exception {
        try (Server server = start(Handlers.echo())) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "echo", "--conns", "4", "--depth", "4",
                    "--duration", "1s", "--warmup", "0s", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.number("msgs_per_s")).isPositive();
            assertThat(run.number("errors")).isZero();
            assertThat(run.number("p99")).isPositive();
        }
    }

    @Test
    void theSummaryNamesEveryFigure() throws Exception {
        try (Server server = start(Handlers.echo())) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "echo", "--conns", "2", "--depth", "2", "--size", "1000",
                    "--duration", "500ms", "--warmup", "0s");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).contains("msgs/s", "MB/s", "p50", "p90", "p99", "p99.9", "max", "errors      0",
                    "CPU per message");
        }
    }

    @Test
    void aWrongAckReplyIsReportedAsErrorsAndFailsTheRun() throws Exception {
        try (Server server = start(Handlers.ack("ok"))) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "ack", "--conns", "2",
                    "--duration", "500ms", "--warmup", "0s", "--json");

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.number("errors")).isPositive();
            assertThat(run.number("bad_replies")).isEqualTo(run.number("errors"));
            assertThat(run.lastErrorLine())
                    .startsWith("sockit: ")
                    .contains("replies failed verification (ack mode expects \"server received your message.\")")
                    .contains("expected \"server received your message.\" but got \"ok\"")
                    .endsWith("check --mode and --reply");
        }
    }

    @Test
    void theRightAckReplyPasses() throws Exception {
        try (Server server = start(Handlers.ack("ok"))) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "ack", "--reply", "ok", "--conns", "2",
                    "--depth", "8", "--duration", "500ms", "--warmup", "0s", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.number("errors")).isZero();
        }
    }

    @Test
    void aRefusedConnectionExitsNonZeroWithTheReason() throws Exception {
        int port;
        try (ServerSocket closedAgain = new ServerSocket(0)) {
            port = closedAgain.getLocalPort();
        }

        BenchRun run = bench("tcp://127.0.0.1:" + port, "--mode", "echo", "--duration", "1s");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("sockit: cannot connect to tcp://127.0.0.1:" + port
                + ": connection refused — is a server running? (sockit server)" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void connectionsTheServerClosesAreReportedAsLost() throws Exception {
        // The server takes each connection's one request, then closes: with nothing left unread
        // it closes with a FIN. Closing at once raced the request, and a close over unread
        // input is a reset, which the generator rightly reports as "broken" instead.
        try (Server server = start(connection -> connection.receive())) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "echo", "--conns", "3", "--duration", "1s", "--warmup", "0s",
                    "--json");

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.number("lost_connections")).isEqualTo(3);
            assertThat(run.lastErrorLine()).startsWith("sockit: 3 of 3 connections were lost during the run; first: ")
                    .contains("closed by the server");
        }
    }

    @Test
    void anOpenLoopRunNeverSendsMoreThanItsSchedule() throws Exception {
        try (Server server = start(Handlers.echo())) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "echo", "--conns", "4", "--rate", "400", "--duration", "1s",
                    "--warmup", "0s", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.number("messages")).isPositive().isLessThanOrEqualTo(400);
            assertThat(run.number("generator_schedule_lag_us")).isNotNegative();
        }
    }

    @Test
    void anOpenLoopTimesEachReplyFromWhenItsRequestWasDueSoAStallShowsInTheTail() throws Exception {
        // The server stalls once for 500 ms, a quarter of the run. Requests fall due every 5 ms
        // all the same: the hundred due during the stall wait up to 500 ms each, from their due
        // time, not from when they could be sent (coordinated omission would show one slow reply).
        AtomicInteger seen = new AtomicInteger();
        MessageHandler stallingEcho = (connection, message) -> {
            if (seen.incrementAndGet() == 100) {
                Thread.sleep(500);
            }
            connection.send(message);
        };
        try (Server server = start(stallingEcho)) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "echo", "--conns", "1", "--rate", "200",
                    "--duration", "2s", "--warmup", "0s", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.number("max")).as("the stalled request").isGreaterThanOrEqualTo(400_000);
            assertThat(run.number("p90")).as("the requests due during the stall").isGreaterThanOrEqualTo(100_000);
        }
    }

    @Test
    void aServerStallIsPlacedInTheRunAndNotCountedAsTheGeneratorsOwn() throws Exception {
        // The server stalls for 500 ms at its 100th request, due 0.5 s into the run at 200 a
        // second; the replies held up come about 1.0 s in. The generator kept its schedule all
        // along: the requests due in the stall were released on time and waited in its sockets
        // (a lag counted from their sending would be the stall's 500 ms).
        AtomicInteger seen = new AtomicInteger();
        MessageHandler stallingEcho = (connection, message) -> {
            if (seen.incrementAndGet() == 100) {
                Thread.sleep(500);
            }
            connection.send(message);
        };
        try (Server server = start(stallingEcho)) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "echo", "--conns", "1", "--rate", "200",
                    "--duration", "1500ms", "--warmup", "500ms", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            long[] latency = run.numbers("latency_max_us");
            assertThat(latency).as("a slot per 100 ms of the run").hasSize(20);
            assertThat(run.number("measure_slot")).isEqualTo(5);
            int longest = 0;
            for (int i = 0; i < latency.length; i++) {
                longest = latency[i] > latency[longest] ? i : longest;
            }
            assertThat(latency[longest]).as("the stalled request").isGreaterThanOrEqualTo(400_000);
            assertThat(longest).as("the slot of the stalled reply, 100 ms each, in %s", java.util.Arrays.toString(latency))
                    .isBetween(9, 12);
            assertThat(run.number("generator_lag_max_us")).as("the generator's own lag").isLessThan(250_000);
            assertThat(run.number("generator_hiccup_us")).isNotNegative();
        }
    }

    @Test
    void aBusyPollingRunCountsOnlyTheTimeSpentOnMessages() throws Exception {
        try (Server server = start(Handlers.echo())) {
            BenchRun run = bench("tcp://127.0.0.1:" + server.port(), "--mode", "echo", "--conns", "2", "--depth", "4", "--busy-poll",
                    "--duration", "500ms", "--warmup", "0s", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).contains("\"busy_poll\":true");
            assertThat(run.number("generator_busiest_thread")).isBetween(0.0, 1.0);
        }
    }

    @Test
    void aBadOptionIsAUsageErrorThatNamesIt() {
        BenchRun run = bench("tcp://127.0.0.1:1", "--mode", "echo", "--conns", "0");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("sockit: --conns must be at least 1, not 0" + System.lineSeparator());
    }

    @Test
    void helpShowsExamples() {
        BenchRun run = bench("--help");

        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("Usage: bench", "--depth", "--rate", "Examples:", "sockit bench --mode echo");
    }
}
