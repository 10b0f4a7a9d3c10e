package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Message;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server prints about what it receives: bounded by default, who said what in chat. */
class ServerOutputTest {

    @TempDir
    Path dir;

    @Test
    void aDiscardServerOfRawBytesPrintsNoPayloadWithoutQuiet() throws Exception {
        // The README's bulk example as written, but on any free port.
        try (SockitProcess server = SockitProcess.server("--mode", "discard", "--framing", "raw")) {
            try (Socket peer = new Socket("127.0.0.1", server.port())) {
                OutputStream out = peer.getOutputStream();
                byte[] chunk = "x".repeat(64 * 1024).getBytes(UTF_8);
                for (int i = 0; i < 128; i++) { // 8 MiB
                    out.write(chunk);
                }
            }
            server.awaitOut("Disconnected .*");
            server.close();
            // Only "wait for connection..." and "Connected by" came before; nothing after but the stop.
            assertThat(server.restOfOut()).allSatisfy(line -> assertThat(line).doesNotContain("xxxx"));
        }
    }

    @Test
    void aDiscardServerOfRawBytesStillPrintsThemWithShowMessages() throws Exception {
        // Its connections make no messages unless an observer watches them: the log does here.
        try (SockitProcess server = SockitProcess.server("--mode", "discard", "--framing", "raw", "--show-messages")) {
            try (Socket peer = new Socket("127.0.0.1", server.port())) {
                peer.getOutputStream().write("forgotten, but shown".getBytes(UTF_8));
                assertThat(server.awaitOut(".*forgotten.*")).isEqualTo("forgotten, but shown");
            }
        }
    }

    @Test
    void aLongMessageIsPreviewedByItsFirst72CharactersAndItsLength() throws Exception {
        String line = "é" + "y".repeat(999);
        try (SockitProcess server = SockitProcess.server("--mode", "echo");
             SockitProcess client = SockitProcess.start("client", server.endpoint()).input(line + "\n")) {
            assertThat(client.restOfOut()).containsExactly(line);
            assertThat(server.awaitOut("[éy].*")).isEqualTo("é" + "y".repeat(71) + "… (1001 bytes)");
        }
    }

    @Test
    void aFloodOfMessagesIsPreviewedAtABoundedRateAndTheRestCounted() throws Exception {
        int lines = 2_000;
        try (SockitProcess server = SockitProcess.server();
             SockitProcess client = SockitProcess.start("client", server.endpoint()).input("line\n".repeat(lines))) {
            assertThat(client.restOfOut()).hasSize(lines);
            assertThat(client.exitStatus()).isZero();
            long shown = 0;
            long hidden = 0;
            for (String line; !(line = server.nextOut()).startsWith("Disconnected "); ) {
                if (line.equals("line")) {
                    shown++;
                } else if (line.matches("\\(\\d+ messages? not shown: more than 50 a second; --show-messages prints every one\\)")) {
                    hidden += Long.parseLong(line.replaceAll("\\D*(\\d+).*", "$1"));
                }
            }
            // Every message is either shown or counted; the flood takes far less than the
            // 40 s it would need to be shown whole at 50 a second.
            assertThat(shown + hidden).isEqualTo(lines);
            assertThat(shown).isLessThan(lines / 4);
        }
    }

    @Test
    void showMessagesPrintsEveryMessageWhole() throws Exception {
        int lines = 300;
        String longLine = "z".repeat(500);
        try (SockitProcess server = SockitProcess.server("--show-messages");
             SockitProcess client = SockitProcess.start("client", server.endpoint())
                     .input("line\n".repeat(lines) + longLine + "\n")) {
            assertThat(client.exitStatus()).isZero();
            List<String> out = new java.util.ArrayList<>();
            for (String line; !(line = server.nextOut()).startsWith("Disconnected "); ) {
                out.add(line);
            }
            assertThat(out.stream().filter("line"::equals).count()).isEqualTo(lines);
            assertThat(out).contains(longLine);
        }
    }

    @Test
    void theChatLogSaysWhoSaidWhat() throws Exception {
        try (SockitProcess server = SockitProcess.server("--mode", "chat");
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.getOutputStream().write("hello, room\n".getBytes(UTF_8));
            assertThat(server.awaitOut(".*hello, room")).isEqualTo("[1] 127.0.0.1:" + peer.getLocalPort() + ": hello, room");
        }
    }

    @Test
    void aUnixPeerIsNamedByTheSocketAndItsId() throws Exception {
        Path socket = dir.resolve("chat.sock");
        try (SockitProcess server = SockitProcess.serverOn("unix:" + socket, "--mode", "chat");
             SocketChannel first = SocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel second = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            first.connect(UnixDomainSocketAddress.of(socket));
            assertThat(server.awaitOut("Connected by .*")).isEqualTo("Connected by unix:" + socket + "#1");
            second.connect(UnixDomainSocketAddress.of(socket));
            assertThat(server.awaitOut("Connected by .*")).isEqualTo("Connected by unix:" + socket + "#2");
            second.write(ByteBuffer.wrap("hi\n".getBytes(UTF_8)));
            assertThat(server.awaitOut(".*hi")).isEqualTo("[2] unix:" + socket + "#2: hi");
            second.close();
            assertThat(server.awaitOut("Disconnected .*")).startsWith("Disconnected unix:" + socket + "#2 (1 message, ");
        }
    }

    @Test
    void previewsAreRationedWithoutALockAndCountWhatTheyHide() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        MessagePreview preview = new MessagePreview(MessagePreview.Show.preview, now::get);
        Message hi = Message.of("hi");
        int shown = 0;
        for (int i = 0; i < 200; i++) {
            shown += preview.line(hi) != null ? 1 : 0;
        }
        assertThat(shown).isEqualTo(MessagePreview.PER_SECOND); // the burst
        assertThat(preview.takeHidden()).isEqualTo(150);
        assertThat(preview.takeHidden()).isZero();
        now.addAndGet(100_000_000L); // 100 ms: five more
        shown = 0;
        for (int i = 0; i < 20; i++) {
            shown += preview.line(hi) != null ? 1 : 0;
        }
        assertThat(shown).isEqualTo(5);
    }

    @Test
    void rawAndDiscardServersShowNoMessagesUnlessAsked() {
        assertThat(MessagePreview.forServer(null, true, false)).isEqualTo(MessagePreview.Show.none);
        assertThat(MessagePreview.forServer(null, false, true)).isEqualTo(MessagePreview.Show.none);
        assertThat(MessagePreview.forServer(null, false, false)).isEqualTo(MessagePreview.Show.preview);
        assertThat(MessagePreview.forServer(true, true, true)).isEqualTo(MessagePreview.Show.all);
        assertThat(MessagePreview.forServer(false, false, false)).isEqualTo(MessagePreview.Show.none);
    }

    @Test
    void aPreviewEscapesControlCharactersAndNeverSplitsACharacter() {
        assertThat(MessagePreview.preview(Message.of("a\u001bb"))).isEqualTo("a\\x1bb");
        String emoji = "x".repeat(71) + "😀" + "tail";
        assertThat(MessagePreview.preview(Message.of(emoji))).isEqualTo("x".repeat(71) + "… ("
                + emoji.getBytes(UTF_8).length + " bytes)");
        assertThat(Pattern.matches(".{72}", MessagePreview.preview(Message.of("z".repeat(72))))).isTrue();
    }
}
