package dev.sockit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The relay asks nothing of its ends but {@link Connection}: a WebSocket endpoint joins in on
 * either side, each chunk of the stream one WebSocket message and each message's bytes a chunk.
 */
class RelayWebSocketTest {

    @Test
    void aTcpClientIsRelayedToAWebSocketEcho() throws Exception {
        try (Server echo = Server.listen(Endpoint.parse("ws://127.0.0.1:0/echo")).handler(Handlers.echo()).start();
             Server relay = Relay.listen(Endpoint.parse("tcp://127.0.0.1:0"),
                     Client.connect(Endpoint.parse("ws://127.0.0.1:" + echo.port() + "/echo"))).start();
             Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            client.setSoTimeout(10_000);
            byte[] bytes = {0, 1, 2, (byte) 0xff, 'w', 's'};
            client.getOutputStream().write(bytes);
            assertThat(client.getInputStream().readNBytes(bytes.length)).isEqualTo(bytes);
        }
    }

    @Test
    void aWebSocketClientIsRelayedToATcpTarget() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Server relay = Relay.listen(Endpoint.parse("ws://127.0.0.1:0/tunnel"),
                     Client.connect(Endpoint.parse("tcp://127.0.0.1:" + target.getLocalPort()))).start();
             HttpClient http = HttpClient.newHttpClient()) {
            LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
            java.net.http.WebSocket ws = http.newWebSocketBuilder().buildAsync(
                    URI.create("ws://127.0.0.1:" + relay.port() + "/tunnel"), new java.net.http.WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(java.net.http.WebSocket socket, CharSequence data, boolean last) {
                            heard.add(data.toString());
                            socket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onBinary(java.net.http.WebSocket socket, ByteBuffer data, boolean last) {
                            byte[] bytes = new byte[data.remaining()];
                            data.get(bytes);
                            heard.add(new String(bytes, UTF_8));
                            socket.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            try (Socket far = target.accept()) {
                far.setSoTimeout(10_000);
                ws.sendText("over the websocket", true).get(10, TimeUnit.SECONDS);
                assertThat(new String(far.getInputStream().readNBytes(18), UTF_8)).isEqualTo("over the websocket");
                far.getOutputStream().write("and back".getBytes(UTF_8));
                assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("and back");
            }
        }
    }
}
