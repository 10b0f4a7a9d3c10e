package dev.sockit;

import static dev.sockit.TestKit.onLoopback;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.framing.Raw;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A quiet TCP connection waits for input in a buffer of one byte (docs/architecture.md,
 * "Buffers sized to the traffic"). What a reader sees must not show it: what arrived in one
 * piece is read in one piece, and a lone byte is read without waiting for more.
 */
class QuietWaitTest {

    @Test
    void rawBytesThatArriveTogetherAreOneMessageAfterAQuietWait() throws Exception {
        // A new connection is quiet: its first read is the one-byte wait.
        assertThat(firstRawMessage("more than one byte, in one write")).isEqualTo("more than one byte, in one write");
    }

    @Test
    void aLoneByteIsReadWithoutWaitingForMore() throws Exception {
        assertThat(firstRawMessage("x")).isEqualTo("x");
    }

    /** What a raw server's handler receives first when a new peer writes {@code sent} at once. */
    private static String firstRawMessage(String sent) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (Server server = onLoopback().framing(Raw.bytes()).handler(connection -> {
                    for (Message message; (message = connection.receive()) != null; ) {
                        received.add(new String(message.bytes(), UTF_8));
                    }
                }).start();
             Peer peer = Peer.connect(server)) {
            peer.write(sent);
            TestKit.awaitUntil("the server read what was sent", () -> !received.isEmpty());
            return received.getFirst();
        }
    }

    @Test
    void aLineLongerThanTheQuietBufferArrivesWhole() throws Exception {
        String line = "y".repeat(1000);
        try (Server server = onLoopback().handler(Handlers.echo()).start();
             Peer peer = Peer.connect(server)) {
            assertThat(peer.ask(line)).isEqualTo(line);
            assertThat(peer.ask("short")).isEqualTo("short");
        }
    }
}
