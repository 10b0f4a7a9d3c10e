package dev.sockit.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** sockit's WebSocket against a client it did not write: the JDK's java.net.http.WebSocket; and sockit's client. */
class WebSocketInteropTest {

    static Server echo() throws Exception {
        return Server.listen(Endpoint.parse("ws://127.0.0.1:0/echo")).handler(Handlers.echo()).start();
    }

    /** Collects what the JDK's client hears. */
    static final class Heard implements java.net.http.WebSocket.Listener {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(java.net.http.WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            events.add(bytes);
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
            events.add("closed " + code);
            return CompletableFuture.completedFuture(null);
        }

        Object next() throws InterruptedException {
            Object event = events.poll(5, TimeUnit.SECONDS);
            assertThat(event).as("an event within 5 s").isNotNull();
            return event;
        }
    }

    @Test
    void theJdkClientGetsTextAndBinaryEchoedAndACleanClose() throws Exception {
        try (Server server = echo(); HttpClient http = HttpClient.newHttpClient()) {
            Heard heard = new Heard();
            java.net.http.WebSocket ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), heard).get(5, TimeUnit.SECONDS);
            ws.sendText("héllo", true).get(5, TimeUnit.SECONDS);
            assertThat(heard.next()).isEqualTo("héllo");
            ws.sendText("in ", false).get(5, TimeUnit.SECONDS);
            ws.sendText("parts", true).get(5, TimeUnit.SECONDS);
            assertThat(heard.next()).isEqualTo("in parts");
            ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, (byte) 0xFF}), true).get(5, TimeUnit.SECONDS);
            assertThat(heard.next()).isEqualTo(new byte[] {1, 2, (byte) 0xFF});
            String big = "z".repeat(200_000);
            ws.sendText(big, true).get(5, TimeUnit.SECONDS);
            assertThat(heard.next()).isEqualTo(big);
            ws.sendClose(1000, "done").get(5, TimeUnit.SECONDS);
            assertThat(heard.next()).isEqualTo("closed 1000");
        }
    }

    @Test
    void sockitsClientTalksToSockitsServer() throws Exception {
        try (Server server = echo();
             Connection connection = Client.connect(Endpoint.parse("ws://127.0.0.1:" + server.port() + "/echo"))
                     .header("Origin", "http://test.example").open()) {
            connection.send(Message.of("hello"));
            assertThat(connection.receive()).isEqualTo(Message.of("hello"));
            connection.send(Message.binary(new byte[] {0, 1}));
            Message binary = connection.receive();
            assertThat(binary.isBinary()).isTrue();
            assertThat(binary.bytes()).containsExactly(0, 1);
        }
    }

    @Test
    void sockitsClientSaysWhatTheServerAnsweredInsteadOfUpgrading() throws Exception {
        try (Server server = echo()) {
            var client = Client.connect(Endpoint.parse("ws://127.0.0.1:" + server.port() + "/nowhere"));
            org.assertj.core.api.Assertions.assertThatThrownBy(client::open)
                    .hasMessageContaining("404").hasMessageContaining("/echo");
        }
    }
}
