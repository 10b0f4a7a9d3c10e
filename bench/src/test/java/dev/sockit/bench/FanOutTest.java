package dev.sockit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The broadcast benchmark's parts work together, so a run never times a push that went
 * nowhere: each push server reaches every connection, and an {@link Audience} opens its
 * connections, times every push on every one, and closes them.
 */
class FanOutTest {

    private static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(10);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sockit", "netty", "plain"})
    void everyConnectionOfTheAudienceGetsEveryPushAndLeavesWhenClosed(String kind) throws Exception {
        try (PushServer server = PushServer.start(kind, Endpoint.parse("tcp://127.0.0.1:0"))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            SocketChannel[] channels = Audience.connect(
                    Audience.Options.parse(new String[] {Integer.toString(server.port()), "20"}), deadline);
            try {
                awaitUntil(() -> server.members() == 20);
                // All three pushes before the audience reads: some connections then take
                // several lines in one read, as a client falling behind would.
                for (int seq = 0; seq < 3; seq++) {
                    server.push(seq + " " + System.nanoTime());
                }
                Audience audience = new Audience(channels, 3);
                try (Selector selector = Selector.open()) {
                    audience.listen(selector, deadline);
                }
                for (long[] push : audience.arrivals()) {
                    // Every connection had it, after it was pushed and within the test's deadline.
                    assertThat(Arrays.stream(push).boxed().toList()).hasSize(20)
                            .allSatisfy(delay -> assertThat(delay).isBetween(0L, TimeUnit.SECONDS.toNanos(10)));
                }
            } finally {
                for (SocketChannel channel : channels) {
                    channel.close();
                }
            }
            // The plain server never reads: it notices a closed connection when a write to it fails.
            awaitUntil(() -> {
                if (kind.equals("plain")) {
                    server.push("after");
                }
                return server.members() == 0;
            });
        }
    }

    @Test
    void theTimesOfOnePushLeaveOutTheClientsItNeverReached() {
        Arrivals.PushTimes times = Arrivals.PushTimes.of(new long[] {40, -1, 10, 30, 20, -1});

        assertThat(times).isEqualTo(new Arrivals.PushTimes(20, 40, 2));
    }
}
