package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** sockit server and client over ws://, as websocat users expect, and one server on TCP and WebSocket. */
class WebSocketCommandTest {

    @Test
    void aPipedWebSocketClientSendsATextMessagePerLineAndPrintsAReplyPerLine() throws Exception {
        try (SockitProcess server = SockitProcess.serverOn("ws://127.0.0.1:0/echo", "--mode", "echo", "--quiet")) {
            assertThat(server.nextOut()).matches("WebSocket at: ws://127\\.0\\.0\\.1:\\d+/echo \\(its page, for a browser: "
                    + "http://127\\.0\\.0\\.1:\\d+/echo\\)");
            try (SockitProcess client = SockitProcess.start("client", "ws://127.0.0.1:" + server.port() + "/echo")
                    .input("one\nhéllo\nthree\n")) {
                assertThat(client.restOfOut()).containsExactly("one", "héllo", "three");
                assertThat(client.exitStatus()).isZero();
                assertThat(client.restOfErr()).isEmpty();
            }
        }
    }

    @Test
    void binaryHeadersAndOriginReachTheServer() throws Exception {
        try (SockitProcess server = SockitProcess.serverOn("ws://127.0.0.1:0/echo", "--mode", "echo", "--quiet",
                "--allow-origin", "https://good.example")) {
            try (SockitProcess refused = SockitProcess.start("client", "ws://127.0.0.1:" + server.port() + "/echo",
                    "--origin", "https://evil.example").input("x\n")) {
                assertThat(refused.exitStatus()).isEqualTo(1);
                assertThat(refused.restOfErr()).anyMatch(line -> line.contains("403"));
            }
            try (SockitProcess client = SockitProcess.start("client", "ws://127.0.0.1:" + server.port() + "/echo",
                    "--origin", "https://good.example", "--binary", "-H", "X-Trace: 7").input("bytes\n")) {
                assertThat(client.restOfOut()).containsExactly("bytes");
                assertThat(client.exitStatus()).isZero();
            }
        }
    }

    @Test
    void oneServerOnTcpAndWebSocketIsOneChatRoom() throws Exception {
        try (SockitProcess server = SockitProcess.serverOn("tcp://127.0.0.1:0", "ws://127.0.0.1:0/chat", "--mode",
                "chat")) {
            String wsStart = server.awaitOut("Server start at: .*");
            int wsPort = Integer.parseInt(wsStart.substring(wsStart.lastIndexOf(':') + 1));
            try (SockitProcess browser = SockitProcess.start("client", "ws://127.0.0.1:" + wsPort + "/chat")) {
                server.awaitOut("Connected by .*");
                try (SockitProcess nc = SockitProcess.start("client", server.endpoint())) {
                    server.awaitOut("Connected by .*");
                    nc.writeLine("hello from tcp");
                    assertThat(browser.awaitOut(".*hello from tcp")).endsWith("] hello from tcp");
                    browser.writeLine("hello from ws");
                    assertThat(nc.awaitOut(".*hello from ws")).endsWith("] hello from ws");
                }
            }
        }
    }
}
