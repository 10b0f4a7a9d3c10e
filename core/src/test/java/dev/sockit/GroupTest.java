package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A group's members, through real connections. */
class GroupTest {

    @Test
    void aMemberThatClosesLeavesTheGroupWithoutWaitingForABroadcast() throws Exception {
        Group room = new Group("room");
        CountDownLatch joined = new CountDownLatch(1);
        // Joins and never leaves by itself: only its close can take it out of the group.
        Handler joiner = connection -> {
            room.join(connection);
            joined.countDown();
            while (connection.receive() != null) {
                // reading until the peer goes
            }
        };
        try (Server server = onLoopback().handler(joiner).start()) {
            try (Peer peer = Peer.connect(server)) {
                joined.await();
                assertThat(room.members()).hasSize(1);
            }
            awaitUntil("the member's connection has closed", () -> server.connections().isEmpty());
            assertThat(room.members()).isEmpty();
            assertThat(room.size()).isZero();
        }
    }
}
