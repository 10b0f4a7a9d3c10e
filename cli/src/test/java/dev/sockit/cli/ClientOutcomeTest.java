package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import org.junit.jupiter.api.Test;

/** How a client ends when the server ends the conversation: what it says, and its status. */
class ClientOutcomeTest {

    @Test
    void aLinesClientAtAFramesServerSaysSoAndPrintsNoBinary() throws Exception {
        try (SockitProcess server = SockitProcess.server("--framing", "frames", "--quiet");
             SockitProcess client = SockitProcess.start("client", server.endpoint()).input("hello\n")) {
            assertThat(client.exitStatus()).isEqualTo(1);
            assertThat(client.restOfOut()).isEmpty();
            assertThat(client.restOfErr()).containsExactly("sockit: " + server.endpoint() + " speaks frames (its first"
                    + " bytes are the frames greeting \"SKF\" version 1), not lines; connect with --framing frames");
        }
    }

    @Test
    void aClientShowsTheReasonItWasKickedForAndFails() throws Exception {
        // frames: the CLOSE frame's reason; lines: the server's last line, "error: kicked: bye".
        for (String framing : new String[] {"frames", "lines"}) {
            try (SockitProcess server = SockitProcess.server("--framing", framing, "--console");
                 SockitProcess client = SockitProcess.start("client", server.endpoint(), "--framing", framing)) {
                client.writeLine("hi");
                // The answer first: a kick while "hi" still waits unread in the server's socket
                // closes it with input unread, and TCP then resets instead of ending, which can
                // overtake the farewell ("connection reset by peer", seen once under load).
                client.awaitOut("server received your message\\.");
                server.writeLine("/kick 1 bye");
                assertThat(client.awaitErr("sockit: .*")).as(framing).isEqualTo("sockit: " + server.endpoint()
                        + " closed the connection: kicked: bye");
                assertThat(client.exitStatus()).as(framing).isEqualTo(1);
            }
        }
    }

    @Test
    void aClientRefusedAsTheServerIsBusyFails() throws Exception {
        for (String framing : new String[] {"lines", "frames"}) {
            try (SockitProcess server = SockitProcess.server("--max-connections", "1", "--framing", framing);
                 Socket first = new Socket("127.0.0.1", server.port())) {
                // In, and holding the one place: a frames peer greets, or it would be closed at once.
                first.getOutputStream().write(framing.equals("frames") ? new byte[] {'S', 'K', 'F', 1, '\n'}
                        : "x".getBytes(UTF_8));
                server.awaitOut("Connected by .*");
                try (SockitProcess client = SockitProcess.start("client", server.endpoint(), "--framing", framing)
                        .input("")) {
                    assertThat(client.exitStatus()).as(framing).isEqualTo(1);
                    assertThat(client.restOfErr()).as(framing).singleElement().asString()
                            .startsWith("sockit: " + server.endpoint() + " closed the connection: server busy: 1 connections");
                }
            }
        }
    }

    @Test
    void aServerThatStopsIsNoFailureOnceTheInputIsAnswered() throws Exception {
        try (SockitProcess server = SockitProcess.server("--framing", "frames", "--quiet");
             SockitProcess client = SockitProcess.start("client", server.endpoint(), "--framing", "frames")
                     .input("one\ntwo\n")) {
            assertThat(client.restOfOut()).containsExactly("server received your message.", "server received your message.");
            assertThat(client.exitStatus()).isZero();
            assertThat(client.restOfErr()).isEmpty();
        }
    }
}
