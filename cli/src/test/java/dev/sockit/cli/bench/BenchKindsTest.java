package dev.sockit.cli.bench;

import static dev.sockit.cli.bench.BenchRun.bench;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handler;
import dev.sockit.Handlers;
import dev.sockit.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sockit bench} over a Unix socket and over UDP, against real servers on this machine, a second or less each. */
class BenchKindsTest {



    private static Server start(Endpoint endpoint, Handler handler) throws IOException {
        return Server.listen(endpoint).handler(handler).start();
    }

    @Test
    void aUnixSocketRunReportsThroughputAndNoErrors(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("bench.sock");
        try (Server server = start(Endpoint.unix(socket), Handlers.echo())) {
            BenchRun run = bench("unix:" + socket, "--conns", "4", "--depth", "4", "--duration", "1s", "--warmup", "0s",
                    "--json");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.number("msgs_per_s")).isPositive();
            assertThat(run.number("errors")).isZero();
            assertThat(run.out()).contains("\"endpoint\":\"unix:" + socket + "\"").doesNotContain("\"lost\"");
        }
    }

    @Test
    void aUnixSocketWithoutAServerSaysSo(@TempDir Path dir) {
        Path socket = dir.resolve("nobody.sock");

        BenchRun run = bench("unix:" + socket, "--duration", "1s");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("sockit: cannot connect to unix:" + socket + ": no socket file at " + socket
                + " — is a server running? (sockit server unix:" + socket + ")" + System.lineSeparator());
    }

    @Test
    void aUdpEchoRunReportsThroughputNoErrorsAndNoLoss() throws Exception {
        try (Server server = start(Endpoint.parse("udp://127.0.0.1:0"), Handlers.echo())) {
            BenchRun run = bench("udp://127.0.0.1:" + server.port(), "--conns", "4", "--depth", "4", "--duration", "1s",
                    "--warmup", "0s", "--json");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.number("msgs_per_s")).isPositive();
            assertThat(run.number("errors")).isZero();
            assertThat(run.number("sent")).isGreaterThanOrEqualTo(run.number("received"));
            assertThat(run.number("received")).isEqualTo(run.number("messages"));
            // Loopback with a few datagrams in flight: a second's timeout is never reached.
            assertThat(run.number("lost")).isZero();
            assertThat(run.number("late")).isZero();
        }
    }

    @Test
    void aUdpAckRunVerifiesTheReplyDatagram() throws Exception {
        try (Server server = start(Endpoint.parse("udp://127.0.0.1:0"), Handlers.ack("ok"))) {
            BenchRun good = bench("udp://127.0.0.1:" + server.port(), "--mode", "ack", "--reply", "ok", "--conns", "2",
                    "--depth", "2", "--duration", "500ms", "--warmup", "0s", "--json");
            BenchRun bad = bench("udp://127.0.0.1:" + server.port(), "--mode", "ack", "--conns", "2",
                    "--duration", "500ms", "--warmup", "0s", "--json");

            assertThat(good.status()).as(good.err()).isZero();
            assertThat(good.number("errors")).isZero();
            assertThat(bad.status()).isEqualTo(1);
            assertThat(bad.number("bad_replies")).isPositive();
            assertThat(bad.lastErrorLine()).contains("expected \"server received your message.\" but got \"ok\"");
        }
    }

    @Test
    void theSummaryAndProgressLineShowLoss() throws Exception {
        try (Server server = start(Endpoint.parse("udp://127.0.0.1:0"), Handlers.echo())) {
            BenchRun run = bench("udp://127.0.0.1:" + server.port(), "--conns", "2", "--duration", "1100ms", "--warmup", "0s");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).contains("datagrams   sent ", "lost 0 (0.00%, no reply within 1s)", "late 0");
            assertThat(run.err()).contains("msgs/s", "sent ", "received ", "lost 0 (0.00%)", "late 0");
        }
    }

    @Test
    void aPeerThatDropsEveryTenthDatagramShowsATenthLost() throws Exception {
        int every = 10;
        try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            AtomicLong echoed = new AtomicLong();
            Thread echo = Thread.ofPlatform().daemon().start(() -> dropEveryNth(peer, every, echoed));
            int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();

            BenchRun run = bench("udp://127.0.0.1:" + port, "--conns", "4", "--depth", "8", "--loss-timeout", "50ms",
                    "--duration", "1s", "--warmup", "0s", "--json");

            peer.close();
            echo.join(5_000);
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.number("errors")).isZero();
            assertThat(run.number("lost")).isPositive();
            // At least the tenth the peer drops; more only by what the kernel dropped before the
            // peer read it (a loaded machine), which the bench must count as lost too.
            double unanswered = 100.0 * (run.number("sent") - echoed.get()) / run.number("sent");
            assertThat(run.number("loss_pct")).isBetween(100.0 / every - 3, Math.max(unanswered, 100.0 / every) + 3);
            assertThat(run.number("late")).isZero();
            assertThat(run.number("received") + run.number("lost")).isLessThanOrEqualTo(run.number("sent") + 4 * 8);
        }
    }

    @Test
    void aReplyAfterItsRequestWasDeclaredLostCountsAsLateNotReceived() throws Exception {
        try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Thread echo = Thread.ofPlatform().daemon().start(() -> holdEveryNth(peer, 5));
            int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();

            BenchRun run = bench("udp://127.0.0.1:" + port, "--conns", "1", "--loss-timeout", "20ms",
                    "--duration", "500ms", "--warmup", "0s", "--json");

            peer.close();
            echo.join(5_000);
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.number("errors")).isZero();
            assertThat(run.number("lost")).isPositive();
            // Each held reply goes back once the next request comes, after its request timed out; the last may stay held.
            assertThat(run.number("late")).isBetween(run.number("lost") - 1, run.number("lost"));
        }
    }

    @Test
    void nothingListeningOnAUdpPortIsReported() throws Exception {
        int port;
        try (DatagramChannel closedAgain = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            port = ((InetSocketAddress) closedAgain.getLocalAddress()).getPort();
        }

        BenchRun run = bench("udp://127.0.0.1:" + port, "--conns", "2", "--duration", "500ms", "--warmup", "0s",
                "--loss-timeout", "100ms");

        assertThat(run.status()).isEqualTo(1);
        // Either socket may hear of it first.
        assertThat(run.lastErrorLine()).matches("sockit: 2 of 2 UDP sockets stopped during the run; first: connection [12]"
                + " was told the port is unreachable \\(nothing listens there\\) after 1 requests — is a server listening on"
                + " udp://127.0.0.1:" + port + "\\?");
    }

    @Test
    void echoOverUdpNeedsRoomForTheRequestNumber() {
        BenchRun run = bench("udp://127.0.0.1:1", "--size", "4");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("sockit: --size 4 is too small for echo over UDP: each request carries its"
                + " 8-byte sequence number; give --size 8 or more" + System.lineSeparator());
    }

    // Echoes every datagram, but holds each every-th one back until the next arrives, until the channel is closed.
    private static void holdEveryNth(DatagramChannel peer, int every) {
        ByteBuffer buffer = ByteBuffer.allocate(65_536);
        ByteBuffer held = ByteBuffer.allocate(65_536);
        boolean holding = false;
        long seen = 0;
        try {
            for (;;) {
                buffer.clear();
                SocketAddress from = peer.receive(buffer);
                buffer.flip();
                if (holding) {
                    peer.send(held.flip(), from);
                    holding = false;
                }
                if (++seen % every == 0) {
                    held.clear().put(buffer);
                    holding = true;
                    continue;
                }
                peer.send(buffer, from);
            }
        } catch (ClosedChannelException closed) {
            // The test is over.
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // Echoes every datagram but each every-th one, until the channel is closed.
    private static void dropEveryNth(DatagramChannel peer, int every, AtomicLong echoed) {
        ByteBuffer buffer = ByteBuffer.allocate(65_536);
        long seen = 0;
        try {
            for (;;) {
                buffer.clear();
                SocketAddress from = peer.receive(buffer);
                if (++seen % every == 0) {
                    continue;
                }
                buffer.flip();
                peer.send(buffer, from);
                echoed.incrementAndGet();
            }
        } catch (ClosedChannelException closed) {
            // The test is over.
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
