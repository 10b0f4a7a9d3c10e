package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RequiredProgram;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** sockit server --log-format json: one JSON object a line, read back by jq, a real JSON parser. */
class LogFormatTest {

    /** Each line parsed by jq and reduced by {@code filter} to one compact line; fails if any is not JSON. */
    private static List<String> jq(String filter, List<String> lines) throws Exception {
        Path jq = RequiredProgram.find("jq", "jq");
        Process process = new ProcessBuilder(jq.toString(), "-c", filter).redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write((String.join("\n", lines) + "\n").getBytes(UTF_8));
        }
        String said = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("jq read every line as JSON: %s%n%s", said, lines).isZero();
        return said.lines().toList();
    }

    private static SockitProcess jsonServer(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("server", "tcp://127.0.0.1:0", "--log-format", "json"));
        args.addAll(List.of(options));
        return SockitProcess.start(args.toArray(String[]::new));
    }

    private static int port(String listening) throws Exception {
        String endpoint = jq(".endpoint", List.of(listening)).getFirst();
        return Integer.parseInt(endpoint.replaceAll(".*:(\\d+)\"$", "$1"));
    }

    @Test
    void aChatConnectionIsLoggedAsJsonObjectsWithItsIdAddressSenderAndReason() throws Exception {
        try (SockitProcess server = jsonServer("--mode", "chat")) {
            String listening = server.awaitOut(".*\"event\":\"listening\".*");
            List<String> lines = new ArrayList<>(List.of(listening));
            int localPort;
            try (Socket client = new Socket("127.0.0.1", port(listening))) {
                localPort = client.getLocalPort();
                client.getOutputStream().write("hello \"you\"\n".getBytes(UTF_8));
                lines.add(server.awaitOut(".*\"event\":\"received\".*"));
            }
            lines.add(server.awaitOut(".*\"event\":\"disconnected\".*"));
            String remote = "127.0.0.1:" + localPort;
            assertThat(jq("[.level, .event, .connection, .remote, .sender, .reason_code]", lines)).containsExactly(
                    "[\"info\",\"listening\",null,null,null,null]",
                    "[\"info\",\"received\",1,\"" + remote + "\",1,null]",
                    "[\"info\",\"disconnected\",1,\"" + remote + "\",null,\"peer_closed\"]");
            // message: the line the text log prints, whatever characters it holds; in chat, who said it.
            assertThat(jq(".message", lines.subList(0, 2))).containsExactly(
                    "\"Server start at: 127.0.0.1:" + port(listening) + "\"", "\"[1] " + remote + ": hello \\\"you\\\"\"");
            assertThat(jq(".message", lines.subList(2, 3)).getFirst()).startsWith("\"Disconnected " + remote + " (1 message, ");
            assertThat(jq(".time | test(\"^\\\\d{4}-\\\\d\\\\d-\\\\d\\\\dT\\\\d\\\\d:\\\\d\\\\d:\\\\d\\\\d\\\\.\\\\d{3}Z$\")", lines)).containsOnly("true");
        }
    }

    @Test
    void aRefusedPeerIsAJsonWarningOnStderrWithTheCause() throws Exception {
        try (SockitProcess server = jsonServer("--deny", "127.0.0.2")) {
            int port = port(server.awaitOut(".*\"event\":\"listening\".*"));
            try (Socket stranger = new Socket()) {
                stranger.bind(new InetSocketAddress("127.0.0.2", 0));
                stranger.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                String refused = server.awaitErr(".*\"event\":\"refused\".*");
                assertThat(jq("[.level, .remote, .cause, .reason]", List.of(refused))).containsExactly(
                        "[\"warn\",\"127.0.0.2:" + stranger.getLocalPort() + "\",\"denied\",\"denied by --deny 127.0.0.2\"]");
            }
        }
    }
}
