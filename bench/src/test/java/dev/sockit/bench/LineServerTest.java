package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each raced server answers as the benchmark expects, so a race never times a broken peer. */
class LineServerTest {

    private static List<String> exchange(LineServer server, String sent, int lines) throws Exception {
        try (Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout(5_000);
            peer.getOutputStream().write(sent.getBytes(UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8));
            List<String> got = new ArrayList<>();
            for (int i = 0; i < lines; i++) {
                got.add(in.readLine());
            }
            return got;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sockit", "netty", "jdk"})
    void echoesEveryLineWhenTheyArriveInOneWrite(String kind) throws Exception {
        try (LineServer server = ServerMain.start(kind, Endpoint.parse("tcp://127.0.0.1:0"), LineServer.Mode.ECHO, "")) {
            assertThat(exchange(server, "a\nbb\nccc\n", 3)).containsExactly("a", "bb", "ccc");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sockit", "netty", "jdk"})
    void acksEveryLineWithTheReply(String kind) throws Exception {
        try (LineServer server = ServerMain.start(kind, Endpoint.parse("tcp://127.0.0.1:0"), LineServer.Mode.ACK, "ok")) {
            assertThat(exchange(server, "a\nbb\n", 2)).containsExactly("ok", "ok");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sockit", "netty", "jdk"})
    void discardsRawBytesWithoutANewlineAndAnswersNothing(String kind) throws Exception {
        try (LineServer server = ServerMain.start(kind, Endpoint.parse("tcp://127.0.0.1:0"), LineServer.Mode.DISCARD, "");
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout(5_000);
            // Far longer than any line limit: a lines server would close the connection with an error.
            byte[] bulk = new byte[4 * 1024 * 1024];
            java.util.Arrays.fill(bulk, (byte) 'x');
            peer.getOutputStream().write(bulk);
            peer.shutdownOutput();

            assertThat(peer.getInputStream().read()).as("the server's answer: none, then its close").isEqualTo(-1);
        }
    }
}
