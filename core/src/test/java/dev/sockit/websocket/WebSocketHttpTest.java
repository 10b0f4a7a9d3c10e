package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.CloseReason;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Observer;
import dev.sockit.Server;
import dev.sockit.TestKit;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The HTTP side of a WebSocket endpoint: the upgrade's answers, the built-in page, and every refusal. */
class WebSocketHttpTest {

    static Server.Builder chat() {
        return Server.listen(Endpoint.parse("ws://127.0.0.1:0/chat")).handler(Handlers.echo());
    }

    static String request(Server server, String http) throws Exception {
        try (WsPeer peer = WsPeer.raw(server.port())) {
            peer.write(http.getBytes(ISO_8859_1));
            return peer.readAll();
        }
    }

    static String upgrade(String path, String extra) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + extra + "\r\n";
    }

    @Test
    void answersTheRfcsSampleKeyWithItsAccept() throws Exception {
        try (Server server = chat().start(); WsPeer peer = WsPeer.raw(server.port())) {
            peer.write(upgrade("/chat", "Sec-WebSocket-Version: 13\r\n").getBytes(ISO_8859_1));
            String head = peer.readHead();
            assertThat(head).startsWith("HTTP/1.1 101 Switching Protocols\r\n")
                    .contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") // RFC 6455 section 1.3
                    .containsIgnoringCase("upgrade: websocket");
        }
    }

    @Test
    void servesThePageOnAPlainGet() throws Exception {
        try (Server server = chat().start()) {
            String answer = request(server, "GET /chat HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("text/html")
                    .contains("new WebSocket(url)").doesNotContain("http://", "https://");
        }
    }

    @Test
    void answers404ForAnyOtherPath() throws Exception {
        try (Server server = chat().start()) {
            assertThat(request(server, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 404 ")
                    .contains("/chat");
            assertThat(request(server, upgrade("/", "Sec-WebSocket-Version: 13\r\n"))).startsWith("HTTP/1.1 404 ");
        }
    }

    @Test
    void answers400ForMalformedRequests() throws Exception {
        try (Server server = chat().start()) {
            assertThat(request(server, "GET /chat\r\n\r\n")).startsWith("HTTP/1.1 400 ");
            assertThat(request(server, "GET /chat HTTP/1.1\r\nno colon here\r\n\r\n")).startsWith("HTTP/1.1 400 ");
            assertThat(request(server, "\u0016\u0003\u0001junk")).startsWith("HTTP/1.1 400 ").contains("wss://");
            assertThat(request(server, upgrade("/chat", "Sec-WebSocket-Version: 13\r\n").replace(
                    "dGhlIHNhbXBsZSBub25jZQ==", "short"))).startsWith("HTTP/1.1 400 ").contains("Sec-WebSocket-Key");
        }
    }

    @Test
    void answers426ForAnotherVersion() throws Exception {
        try (Server server = chat().start()) {
            assertThat(request(server, upgrade("/chat", "Sec-WebSocket-Version: 8\r\n"))).startsWith("HTTP/1.1 426 ")
                    .contains("Sec-WebSocket-Version: 13");
        }
    }

    @Test
    void answers431ForAnOversizedHead() throws Exception {
        try (Server server = chat().start()) {
            String cookie = "Cookie: " + "c".repeat(WebSocket.MAX_REQUEST_HEAD) + "\r\n";
            assertThat(request(server, "GET /chat HTTP/1.1\r\nHost: x\r\n" + cookie + "\r\n")).startsWith("HTTP/1.1 431 ");
        }
    }

    @Test
    void answers403ToAnOriginNotAllowed() throws Exception {
        try (Server server = chat().websocket(WebSocket.defaults().allowOrigin("https://good.example")).start()) {
            String versioned = "Sec-WebSocket-Version: 13\r\n";
            assertThat(request(server, upgrade("/chat", versioned + "Origin: https://evil.example\r\n")))
                    .startsWith("HTTP/1.1 403 ");
            try (WsPeer good = WsPeer.open(server.port(), "/chat", "Origin: https://good.example\r\n")) {
                good.text("hi");
                assertThat(good.readData().text()).isEqualTo("hi");
            }
        }
    }

    @Test
    void choosesTheFirstSubprotocolItSpeaksThatTheClientOffers() throws Exception {
        try (Server server = chat().websocket(WebSocket.defaults().subprotocols("v2.chat", "v1.chat")).start();
             WsPeer peer = WsPeer.open(server.port(), "/chat", "Sec-WebSocket-Protocol: v1.chat, v2.chat\r\n")) {
            assertThat(peer.response).contains("Sec-WebSocket-Protocol: v2.chat\r\n");
        }
    }

    @Test
    void closesAHandshakeNotFinishedInTime() throws Exception {
        BlockingQueue<CloseReason> closes = new LinkedBlockingQueue<>();
        try (Server server = chat().handshakeTimeout(Duration.ofMillis(300)).observer(new Observer() {
                    @Override
                    public void closed(dev.sockit.Connection connection, CloseReason reason) {
                        closes.add(reason);
                    }
                }).start();
             WsPeer slow = WsPeer.raw(server.port())) {
            slow.write("GET /chat HTTP/1.1\r\nHost:".getBytes(ISO_8859_1)); // and nothing more: slowloris
            assertThat(slow.ended()).isTrue();
            CloseReason reason = closes.poll(5, TimeUnit.SECONDS);
            assertThat(reason.code()).isEqualTo(CloseReason.Code.TIMEOUT);
            assertThat(reason.text()).contains("WebSocket handshake not finished");
        }
    }

    @Test
    void sendsGoingAwayWhenTheServerStops() throws Exception {
        Server server = chat().start();
        try (WsPeer peer = WsPeer.open(server.port(), "/chat", "")) {
            peer.text("hi");
            assertThat(peer.readData().text()).isEqualTo("hi");
            TestKit.awaitUntil("the connection is listed", () -> server.connections().size() == 1);
            Thread stopping = Thread.ofVirtual().start(server::close);
            WsPeer.Frame close = peer.readClose();
            assertThat(close.closeCode()).isEqualTo(1001);
            peer.close(1001, "");
            stopping.join(5_000);
            assertThat(stopping.isAlive()).isFalse();
        }
    }

    @Test
    void pingsAsTheHeartbeat() throws Exception {
        try (Server server = chat().heartbeat(dev.sockit.Heartbeat.every(Duration.ofMillis(100))).start();
             WsPeer peer = WsPeer.open(server.port(), "/chat", "")) {
            WsPeer.Frame ping = peer.read();
            assertThat(ping.opcode()).isEqualTo(9);
            assertThat(ping.payload().length).isLessThanOrEqualTo(125);
        }
    }

    @Test
    void refusesAPeerOverTheConnectionLimitWith503() throws Exception {
        try (Server server = chat().maxConnections(1).start(); WsPeer first = WsPeer.open(server.port(), "/chat", "")) {
            TestKit.awaitUntil("the first is listed", () -> server.connections().size() == 1);
            assertThat(request(server, upgrade("/chat", "Sec-WebSocket-Version: 13\r\n"))).startsWith("HTTP/1.1 503 ")
                    .contains("server busy");
        }
    }

}
