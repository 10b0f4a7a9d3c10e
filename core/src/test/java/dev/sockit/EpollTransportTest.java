package dev.sockit;

import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many pipelining peers at once on one server, every reply checked in order: on the JDK's
 * transport by default, and on sockit's epoll transport in the build's second run of the
 * connection tests ({@code -Ddev.sockit.transport=epoll}), where readers park and wake
 * thousands of times, each time racing the edge that wakes them.
 */
class EpollTransportTest {

    @Test
    void servesManyPipeliningPeersWithoutLosingAWakeUp() throws Exception {
        try (Server server = onLoopback().handler(Handlers.echo()).start()) {
            List<CompletableFuture<Integer>> peers = new ArrayList<>();
            for (int p = 0; p < 40; p++) {
                int id = p;
                peers.add(CompletableFuture.supplyAsync(() -> converse(server, id)));
            }
            for (CompletableFuture<Integer> peer : peers) {
                assertThat(peer.get(30, TimeUnit.SECONDS)).isEqualTo(2_000);
            }
            if ("epoll".equals(System.getProperty("dev.sockit.transport"))
                    && dev.sockit.transport.linux.Platform.supported()) {
                assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                        .as("the epoll transport's poller runs").anyMatch(name -> name.startsWith("sockit-epoll-"));
            }
        }
    }

    // 2,000 lines in batches of 1 to 16, each batch's echoes read back before the next.
    private static int converse(Server server, int id) {
        try (Peer peer = Peer.connect(server)) {
            int answered = 0;
            for (int batch = 0; answered < 2_000; batch++) {
                int depth = Math.min(1 + (batch + id) % 16, 2_000 - answered);
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < depth; i++) {
                    lines.append(id).append('-').append(answered + i).append('\n');
                }
                peer.write(lines.toString());
                for (int i = 0; i < depth; i++) {
                    String reply = peer.readLine();
                    if (!(id + "-" + (answered + i)).equals(reply)) {
                        throw new AssertionError("peer " + id + " expected " + id + "-" + (answered + i) + ", got " + reply);
                    }
                }
                answered += depth;
            }
            return answered;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
