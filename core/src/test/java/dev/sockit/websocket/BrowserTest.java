package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.Server;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A real browser: headless Chromium loads the built-in page from a chat server that also
 * listens on TCP, and talks with a TCP client through it: what the TCP client types shows in
 * the page, what is typed in the page reaches the TCP client, a push from the server shows,
 * and the server's stop shows as the close reason. Skipped locally without Chromium (Debian
 * {@code chromium}); under CI it must be there.
 */
class BrowserTest {

    @Test
    void thePageChatsWithATcpClientSeesAPushAndTheCloseReason() throws Exception {
        Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"), Endpoint.parse("ws://127.0.0.1:0/chat"))
                .handler(Handlers.chat()).start();
        String page = "http://127.0.0.1:" + server.endpoints().get(1).port() + "/chat";
        try (server; HeadlessChromium browser = HeadlessChromium.open(page)) {
            browser.awaitLog("that it connected", log -> log.contains("connected to ws://"));
            // The TCP client comes once the page is in the room; its arrival, announced to the
            // page, says that both are. (Counting connections would not do: Chromium opens spare
            // sockets to the same host.)
            try (Socket nc = new Socket("127.0.0.1", server.port())) {
                nc.setSoTimeout(10_000);
                BufferedReader lines = new BufferedReader(new InputStreamReader(nc.getInputStream(), UTF_8));
                browser.awaitLog("the TCP client's arrival", log -> log.contains(" joined from "));

                nc.getOutputStream().write("hello from nc\n".getBytes(UTF_8));
                browser.awaitLog("the TCP client's line", log -> log.contains("] hello from nc"));

                browser.type("hello from chromium");
                String line = lines.readLine();
                while (line.startsWith("* ")) { // announcements, if any, come before the line
                    line = lines.readLine();
                }
                assertThat(line).endsWith("] hello from chromium");

                server.broadcast(Message.of("a push from the server"));
                browser.awaitLog("the push", log -> log.contains("a push from the server"));

                String shot = System.getProperty("sockit.screenshot");
                if (shot != null) { // docs/websocket.md's picture: -Dsockit.screenshot=docs/websocket-page.png
                    Files.write(Path.of(shot), browser.screenshot());
                }
            }
            server.close();
            browser.awaitLog("the close reason", log -> log.contains("closed: 1001 server stopping"));
        }
    }
}
