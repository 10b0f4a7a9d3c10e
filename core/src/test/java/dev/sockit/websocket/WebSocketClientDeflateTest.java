package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.Server;
import dev.sockit.transport.WebSocketUpgrade;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * sockit's client offers permessage-deflate as browsers do ({@code permessage-deflate;
 * client_max_window_bits}) and takes each answer RFC 7692 allows: sockit's own server, which
 * agrees and sends plain frames; a server written here from the RFC that compresses each
 * message on its own ({@code server_no_context_takeover}); one whose answer is not valid.
 * (A server that keeps its context, and a compression bomb: {@link WebSocketPeersTest}, with
 * Python's websockets.)
 */
class WebSocketClientDeflateTest {

    @Test
    void sockitsServerAgreesAndMessagesPass() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("ws://127.0.0.1:0/echo")).handler(Handlers.echo()).start();
                Connection c = Client.connect(Endpoint.parse("ws://127.0.0.1:" + server.port() + "/echo")).open()) {
            c.send(Message.of("héllo"));
            assertThat(c.receive()).isEqualTo(Message.of("héllo"));
        }
    }

    @Test
    void aServerCompressingEachMessageOnItsOwnIsInflated() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> serve(listener,
                    "permessage-deflate; server_no_context_takeover; client_no_context_takeover", "one", "two"));
            try (Connection c = Client.connect(Endpoint.parse("ws://127.0.0.1:" + listener.getLocalPort() + "/"))
                    .open()) {
                assertThat(c.receive().text()).isEqualTo("one");
                assertThat(c.receive().text()).isEqualTo("two");
            }
            assertThat(request.get(10, TimeUnit.SECONDS))
                    .contains("\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
        }
    }

    @Test
    void anAnswerWithAParameterNotAllowedIsRefused() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture.supplyAsync(() -> serve(listener, "permessage-deflate; x_frobnicate"));
            assertThatThrownBy(() -> Client.connect(Endpoint.parse("ws://127.0.0.1:" + listener.getLocalPort() + "/"))
                    .open()).isInstanceOf(ProtocolException.class).hasMessageContaining("x_frobnicate");
        }
    }

    @Test
    void notOfferedItIsNotSent() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> serve(listener, null, "plain"));
            try (Connection c = Client.connect(Endpoint.parse("ws://127.0.0.1:" + listener.getLocalPort() + "/"))
                    .websocket(WebSocket.defaults().deflate(false)).open()) {
                assertThat(c.receive().text()).isEqualTo("plain");
            }
            assertThat(request.get(10, TimeUnit.SECONDS)).doesNotContainIgnoringCase("Sec-WebSocket-Extensions");
        }
    }

    /**
     * Accepts one client, answers its upgrade with {@code extensions} (none when null), sends
     * {@code texts} compressed each on its own (plain without extensions), waits for the
     * client's close; returns the client's request.
     */
    private static String serve(ServerSocket listener, String extensions, String... texts) {
        try (Socket socket = listener.accept()) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return head.toString(ISO_8859_1);
                }
                head.write(b);
            }
            String request = head.toString(ISO_8859_1);
            String key = request.lines().filter(l -> l.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18))
                    .findFirst().orElseThrow().substring(18).strip();
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + WebSocketUpgrade.accept(key) + "\r\n"
                    + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n")
                    .getBytes(ISO_8859_1));
            for (String text : texts) {
                byte[] payload = text.getBytes(UTF_8);
                boolean compress = extensions != null;
                if (compress) {
                    payload = compressed(payload);
                }
                out.write(new byte[] {(byte) (compress ? 0xC1 : 0x81), (byte) payload.length}); // FIN, RSV1, text
                out.write(payload);
            }
            out.flush();
            in.readAllBytes(); // until the client's close frame and its end of stream
            return request;
        } catch (IOException e) {
            return "failed: " + e;
        }
    }

    /** RFC 7692 7.2.1: deflate, sync-flush, and the final 00 00 FF FF taken off. */
    private static byte[] compressed(byte[] payload) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(payload);
        byte[] out = new byte[payload.length + 64];
        int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        deflater.end();
        return Arrays.copyOf(out, n - 4);
    }
}
