package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.Server;
import dev.sockit.TestKit;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** One server on a TCP and a WebSocket endpoint: one set of connections, one chat room. */
class OneServerManyEndpointsTest {

    static Server chat() throws Exception {
        return Server.listen(Endpoint.parse("tcp://127.0.0.1:0"), Endpoint.parse("ws://127.0.0.1:0/chat"))
                .handler(Handlers.chat()).start();
    }

    @Test
    void aLineFromATcpClientReachesTheWebSocketClientAndBack() throws Exception {
        try (Server server = chat()) {
            assertThat(server.endpoints()).hasSize(2);
            Endpoint ws = server.endpoints().get(1);
            assertThat(ws.toString()).startsWith("ws://127.0.0.1:").endsWith("/chat");
            try (WsPeer browser = WsPeer.open(ws.port(), "/chat", "");
                 Socket nc = new Socket("127.0.0.1", server.port())) {
                nc.setSoTimeout(5_000);
                BufferedReader lines = new BufferedReader(new InputStreamReader(nc.getInputStream(), UTF_8));
                // Connected is not yet joined: a line sent before the browser's handler joins the
                // room would never reach it. Whichever joins second announces itself to the
                // first, so once either has heard a word, both are in.
                TestKit.awaitUntil("both in the room", () -> {
                    try {
                        return browser.in.available() > 0 || nc.getInputStream().available() > 0;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                OutputStream out = nc.getOutputStream();
                out.write("hello from nc\n".getBytes(UTF_8));
                String heard = browser.readData().text();
                while (heard.startsWith("* ")) { // an arrival announced before the line
                    heard = browser.readData().text();
                }
                assertThat(heard).endsWith("] hello from nc");
                browser.text("hello from the browser");
                String line = lines.readLine();
                while (line.startsWith("* ")) {
                    line = lines.readLine();
                }
                assertThat(line).endsWith("] hello from the browser");
                server.broadcast(Message.of("a push to all"));
                assertThat(browser.readData().text()).isEqualTo("a push to all");
                assertThat(lines.readLine()).isEqualTo("a push to all");
            }
        }
    }

    @Test
    void closingTheServerClosesEveryEndpoint() throws Exception {
        Server server = chat();
        int tcp = server.port();
        int ws = server.endpoints().get(1).port();
        server.close();
        assertThatThrownBy(() -> new Socket("127.0.0.1", tcp).close()).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> new Socket("127.0.0.1", ws).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void anEndpointThatCannotBeBoundGivesBackTheOthers() throws Exception {
        try (Server first = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).start()) {
            Endpoint free = Endpoint.parse("ws://127.0.0.1:0/");
            Endpoint taken = first.endpoint();
            assertThatThrownBy(() -> Server.listen(free, taken).start()).hasMessageContaining(
                    String.valueOf(taken.port()));
        }
    }

    @Test
    void refusesAnEndpointGivenTwice() {
        Endpoint e = Endpoint.parse("tcp://127.0.0.1:9");
        assertThatThrownBy(() -> Server.listen(e, e)).hasMessageContaining("given twice");
    }
}
