package dev.sockit;

import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.framing.Lines;
import org.junit.jupiter.api.Test;

/** The server-wide budget on read buffers, through real sockets. */
class MemoryBudgetTest {

    @Test
    void aPeerWhoseLongLineWouldPassTheBudgetIsToldAndClosedWhileOthersAreServed() throws Exception {
        try (Server server = onLoopback().framing(Lines.maxLength(1 << 20)).maxBufferMemory(256 * 1024).start();
             Peer other = Peer.connect(server);
             Peer hog = Peer.connect(server)) {
            assertThat(other.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
            // Within the line limit, but more than the whole server may hold: refused by the budget.
            hog.write(TestKit.utf8("x".repeat(400 * 1024)));
            assertThat(hog.readUntilEnd()).singleElement().asString()
                    .startsWith("error: server memory budget reached: read buffers hold");
            assertThat(other.ask("still there?")).isEqualTo(Handlers.ACK_REPLY);
        }
    }

    @Test
    void theBudgetComesBackWhenTheConnectionThatHeldItCloses() throws Exception {
        try (Server server = onLoopback().framing(Lines.maxLength(1 << 20)).maxBufferMemory(256 * 1024).start()) {
            for (int i = 0; i < 3; i++) {
                try (Peer peer = Peer.connect(server)) {
                    // 100 KiB lines fit the budget one connection at a time, each time.
                    assertThat(peer.ask("y".repeat(100 * 1024))).isEqualTo(Handlers.ACK_REPLY);
                }
                TestKit.awaitUntil("the peer has left", () -> server.connections().isEmpty());
            }
        }
    }
}
