package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.testing.Haproxy;
import dev.sockit.testing.RedisServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production shape of issue 11: a real HAProxy in front of two sockit server processes
 * clustered on a real redis-server, sending each a PROXY v2 header. Clients bound to
 * addresses of their own (127.0.0.5, 127.0.0.6) are served through it; each node logs its
 * client's own address, not HAProxy's; and a chat line crosses from one node to the other.
 */
class HaproxyClusterCommandTest {

    @TempDir
    Path dir;

    private static SockitProcess node(RedisServer redis, String name) throws IOException {
        SockitProcess node = SockitProcess.server("--mode", "chat", "--cluster", redis.uri(), "--node", name,
                "--proxy-protocol", "v2", "--proxy-from", "127.0.0.1");
        assertThat(node.awaitOut("Cluster: .*")).startsWith("Cluster: node " + name + " of ");
        return node;
    }

    /** A client through HAProxy from {@code source}, with patience for two JVMs, Redis and HAProxy on a busy machine. */
    private static Peer client(String source, Haproxy haproxy) throws IOException {
        Peer peer = Peer.connectFrom(source, haproxy.port());
        peer.socket().setSoTimeout(10_000);
        return peer;
    }

    /** The next line, past alice's arrival and "hi", which Redis may relay to node two after bob joined there. */
    private static String next(Peer peer, String aliceId) throws IOException {
        String line;
        do {
            line = peer.readLine();
        } while (line != null && (line.equals("[" + aliceId + "] hi") || line.startsWith("* " + aliceId + " joined")));
        return line;
    }

    /** The connection number in a chat log line "[NUMBER] ADDRESS: TEXT"; HAProxy's health checks took numbers too. */
    private static String number(String logLine) {
        return logLine.substring(1, logLine.indexOf(']'));
    }

    @Test
    void clientsThroughHaproxyAreSeenByTheirOwnAddressesAndChatAcrossTwoNodes() throws Exception {
        try (RedisServer redis = RedisServer.start();
             SockitProcess one = node(redis, "one");
             SockitProcess two = node(redis, "two");
             // Health checks too, as in production: LOCAL headers, served and left out of the log.
             Haproxy haproxy = Haproxy.start(dir, "send-proxy-v2 check inter 200ms", one.port(), two.port());
             // Round robin: the first client goes to the first node, the second to the second.
             Peer alice = client("127.0.0.5", haproxy)) {
            String aliceSeen = "127.0.0.5:" + alice.socket().getLocalPort();
            assertThat(one.awaitOut("Connected by .*")).isEqualTo("Connected by " + aliceSeen);
            alice.send("hi");
            // The chat log, once the handler read it: alice is in the room.
            String read = one.awaitOut(".*: hi");
            assertThat(read).matches("\\[\\d+\\] " + aliceSeen + ": hi");
            String aliceId = "one/" + number(read);

            try (Peer bob = client("127.0.0.6", haproxy)) {
                String bobSeen = "127.0.0.6:" + bob.socket().getLocalPort();
                assertThat(two.awaitOut("Connected by .*")).isEqualTo("Connected by " + bobSeen);
                // Node two announced bob, with the address it saw, to alice on node one.
                String joined = alice.readLine();
                assertThat(joined).matches("\\* two/\\d+ joined from " + bobSeen);
                String bobId = joined.substring(2, joined.indexOf(' ', 2));

                for (int i = 0; i < 100; i++) {
                    bob.send("line " + i);
                }
                for (int i = 0; i < 100; i++) {
                    assertThat(alice.readLine()).isEqualTo("[" + bobId + "] line " + i);
                }
                alice.send("back from one");
                assertThat(next(bob, aliceId)).as("alice's line crossed; bob's own never came back to him")
                        .isEqualTo("[" + aliceId + "] back from one");
                assertThat(two.awaitOut(".*: line 0")).isEqualTo("[" + bobId.substring(4) + "] " + bobSeen + ": line 0");
                bob.close();
                assertThat(alice.readLine()).isEqualTo("* " + bobId + " left");
            }
        }
    }
}
