package dev.sockit;

import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A wrapper made on ForwardingConnection changes what it overrides and nothing else. */
class ForwardingConnectionTest {

    /** Sends every message in capitals; everything else is the wrapped connection's. */
    private static final class Shouting extends ForwardingConnection {
        Shouting(Connection connection) {
            super(connection);
        }

        @Override
        public void send(Message message) throws IOException {
            super.send(Message.of(message.text().toUpperCase(Locale.ROOT)));
        }
    }

    @Test
    void sendingTextGoesThroughTheOverriddenSend() throws Exception {
        Handler greet = c -> {
            for (Message m; (m = c.receive()) != null; ) {
                c.send("hello " + m.text());
            }
        };
        try (Server server = onLoopback().handler(c -> greet.handle(new Shouting(c))).start();
             Peer peer = Peer.connect(server)) {
            peer.write("bob\n");
            assertThat(peer.readLines(1)).containsExactly("HELLO BOB");
        }
    }

    @Test
    void everythingNotOverriddenIsTheWrappedConnections() throws Exception {
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(1);
        try (Server server = onLoopback().handler(c -> {
                    Connection wrapped = new Shouting(c);
                    c.receive();
                    seen.add(String.join("|", wrapped.id() == c.id() ? "id" : "", wrapped.protocol(),
                            wrapped.remote().equals(c.remote()) ? "remote" : "", wrapped.local().equals(c.local()) ? "local" : "",
                            wrapped.toString().equals(c.toString()) ? "toString" : "",
                            Long.toString(wrapped.stats().messagesIn())));
                    wrapped.close(CloseReason.closed());
                }).start();
             Peer peer = Peer.connect(server)) {
            peer.write("one\n");
            assertThat(seen.poll(TestKit.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                    .isEqualTo("id|tcp|remote|local|toString|1");
            assertThat(peer.atEndOfStream()).as("closed through the wrapper").isTrue();
        }
    }
}
