package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 6455 conformance over real sockets, one group per Autobahn|Testsuite category, written
 * from its case descriptions (the suite itself needs Python 2 or a container). Every
 * violation is answered with the close code the RFC gives it, and the server then serves the
 * next client: {@link #servesTheNextClient()} runs after every test.
 */
class WebSocketConformanceTest {

    static final int MAX = 64 * 1024;
    static Server server;

    @BeforeAll
    static void start() throws Exception {
        server = Server.listen(Endpoint.parse("ws://127.0.0.1:0/"))
                .websocket(WebSocket.defaults().maxMessage(MAX))
                .handler(Handlers.echo())
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void servesTheNextClient() throws Exception {
        try (WsPeer next = WsPeer.open(server.port())) {
            next.text("still there?");
            assertThat(next.readData().text()).isEqualTo("still there?");
        }
    }

    static WsPeer peer() throws Exception {
        return WsPeer.open(server.port());
    }

    /** Sends the bytes and expects the server's close frame with {@code code}, then the end of the connection. */
    static WsPeer.Frame closedWith(int code, byte[]... frames) throws Exception {
        try (WsPeer peer = peer()) {
            for (byte[] frame : frames) {
                peer.write(frame);
            }
            WsPeer.Frame close = peer.readClose();
            assertThat(close.closeCode()).as("close code, reason: %s", close.closeReason()).isEqualTo(code);
            assertThat(peer.ended()).isTrue();
            return close;
        }
    }

    static byte[] masked(boolean fin, int opcode, byte[] payload) {
        return WsPeer.frame(fin, 0, opcode, payload, true);
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) '*');
        return b;
    }

    // ---- Autobahn category: Framing ----
    @Test
    void echoesTextOfEveryLengthEncoding() throws Exception {
        try (WsPeer peer = peer()) {
            for (int n : new int[] {0, 1, 125, 126, 127, 65535, MAX}) {
                String text = "x".repeat(n);
                peer.text(text);
                WsPeer.Frame echo = peer.readData();
                assertThat(echo.opcode()).isEqualTo(1);
                assertThat(echo.fin()).isTrue();
                assertThat(echo.text()).hasSize(n).isEqualTo(text);
            }
        }
    }

    @Test
    void echoesBinaryAsBinary() throws Exception {
        try (WsPeer peer = peer()) {
            byte[] payload = {0, (byte) 0xFF, (byte) 0xC0, 1};
            peer.send(true, 2, payload);
            WsPeer.Frame echo = peer.readData();
            assertThat(echo.opcode()).isEqualTo(2);
            assertThat(echo.payload()).isEqualTo(payload);
        }
    }

    @Test
    void takesAFrameWrittenOneByteAtATime() throws Exception {
        try (WsPeer peer = peer()) {
            for (byte b : masked(true, 1, "slowly".getBytes(UTF_8))) {
                peer.write(new byte[] {b});
                peer.out.flush();
            }
            assertThat(peer.readData().text()).isEqualTo("slowly");
        }
    }

    @Test
    void takesManyFramesInOneWrite() throws Exception {
        try (WsPeer peer = peer()) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < 50; i++) {
                all.writeBytes(masked(true, 1, ("m" + i).getBytes(UTF_8)));
            }
            peer.write(all.toByteArray());
            for (int i = 0; i < 50; i++) {
                assertThat(peer.readData().text()).isEqualTo("m" + i);
            }
        }
    }

    @Test
    void refusesAnUnmaskedClientFrameWith1002() throws Exception {
        closedWith(1002, WsPeer.frame(true, 0, 1, "bare".getBytes(UTF_8), false));
    }

    // ---- Autobahn category: PingPong ----
    @Test
    void answersAPingWithAPongCarryingItsPayload() throws Exception {
        try (WsPeer peer = peer()) {
            peer.send(true, 9, bytes(125));
            WsPeer.Frame pong = peer.read();
            assertThat(pong.opcode()).isEqualTo(10);
            assertThat(pong.payload()).isEqualTo(bytes(125));
        }
    }

    @Test
    void ignoresAPongNoPingAskedFor() throws Exception {
        try (WsPeer peer = peer()) {
            peer.send(true, 10, "unasked".getBytes(UTF_8)).text("after");
            assertThat(peer.readData().text()).isEqualTo("after");
        }
    }

    @Test
    void refusesAPingOf126BytesWith1002() throws Exception {
        closedWith(1002, masked(true, 9, bytes(126)));
    }

    @Test
    void refusesAFragmentedPingWith1002() throws Exception {
        closedWith(1002, masked(false, 9, bytes(3)), masked(true, 0, bytes(3)));
    }

    // ---- Autobahn category: ReservedBits ----
    @Test
    void refusesEachReservedBitWith1002() throws Exception {
        for (int rsv : new int[] {1, 2, 3, 4, 5, 6, 7}) {
            closedWith(1002, WsPeer.frame(true, rsv, 1, "rsv".getBytes(UTF_8), true));
        }
    }

    @Test
    void refusesRsv1OnAPingWith1002() throws Exception {
        closedWith(1002, WsPeer.frame(true, 4, 9, bytes(2), true));
    }

    // ---- Autobahn category: Opcodes ----
    @Test
    void refusesEachReservedOpcodeWith1002() throws Exception {
        for (int opcode : new int[] {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
            closedWith(1002, masked(true, opcode, bytes(2)));
        }
    }

    // ---- Autobahn category: Fragmentation ----
    @Test
    void joinsFragmentsIntoOneMessage() throws Exception {
        try (WsPeer peer = peer()) {
            peer.send(false, 1, "frag".getBytes(UTF_8)).send(false, 0, "men".getBytes(UTF_8))
                    .send(true, 0, "ted".getBytes(UTF_8));
            assertThat(peer.readData().text()).isEqualTo("fragmented");
        }
    }

    @Test
    void answersAPingBetweenFragments() throws Exception {
        try (WsPeer peer = peer()) {
            peer.send(false, 2, new byte[] {1}).send(true, 9, "p".getBytes(UTF_8)).send(true, 0, new byte[] {2});
            WsPeer.Frame pong = peer.read();
            assertThat(pong.opcode()).isEqualTo(10);
            WsPeer.Frame message = peer.read();
            assertThat(message.opcode()).isEqualTo(2);
            assertThat(message.payload()).containsExactly(1, 2);
        }
    }

    @Test
    void takesEmptyFragments() throws Exception {
        try (WsPeer peer = peer()) {
            peer.send(false, 1, new byte[0]).send(false, 0, new byte[0]).send(true, 0, new byte[0]);
            assertThat(peer.readData().payload()).isEmpty();
        }
    }

    @Test
    void refusesAContinuationWithNothingToContinueWith1002() throws Exception {
        closedWith(1002, masked(true, 0, "alone".getBytes(UTF_8)));
    }

    @Test
    void refusesANewMessageInsideAFragmentedOneWith1002() throws Exception {
        closedWith(1002, masked(false, 1, "a".getBytes(UTF_8)), masked(true, 1, "b".getBytes(UTF_8)));
    }

    // ---- Autobahn category: Utf8 ----
    @Test
    void refusesInvalidTextWith1007() throws Exception {
        closedWith(1007, masked(true, 1, new byte[] {(byte) 0xCE, (byte) 0xBA, (byte) 0xE1, (byte) 0xBD,
                (byte) 0xB9, (byte) 0xCF, (byte) 0x83, (byte) 0xCE, (byte) 0xBC, (byte) 0xCE, (byte) 0xB5,
                (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'e', 'd', 'i', 't', 'e', 'd'}));
    }

    @Test
    void takesACharacterSplitAcrossFragments() throws Exception {
        byte[] euro = "€".getBytes(UTF_8); // e2 82 ac
        try (WsPeer peer = peer()) {
            peer.send(false, 1, new byte[] {'a', euro[0]}).send(false, 0, new byte[] {euro[1]})
                    .send(true, 0, new byte[] {euro[2], 'b'});
            assertThat(peer.readData().text()).isEqualTo("a€b");
        }
    }

    @Test
    void failsFastInsideAFragmentBeforeTheMessageEnds() throws Exception {
        // 0xF5 can never start UTF-8: the close comes without waiting for the final fragment.
        closedWith(1007, masked(false, 1, new byte[] {'o', 'k', (byte) 0xF5}));
    }

    @Test
    void refusesACharacterCutOffByTheEndOfTheMessageWith1007() throws Exception {
        closedWith(1007, masked(false, 1, new byte[] {'a', (byte) 0xE2}), masked(true, 0, new byte[] {(byte) 0x82}));
    }

    @Test
    void refusesOverlongFormsAndSurrogatesWith1007() throws Exception {
        closedWith(1007, masked(true, 1, new byte[] {(byte) 0xC0, (byte) 0xAF}));
        closedWith(1007, masked(true, 1, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
        closedWith(1007, masked(true, 1, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}));
    }

    @Test
    void takesBinaryThatIsNotUtf8() throws Exception {
        try (WsPeer peer = peer()) {
            peer.send(true, 2, new byte[] {(byte) 0xFF});
            assertThat(peer.readData().payload()).containsExactly(0xFF);
        }
    }

    // ---- Autobahn category: Limits ----
    @Test
    void refusesAMessageOverTheLimitFromItsHeaderWith1009() throws Exception {
        // Only the header is sent: the refusal cannot have waited for the payload.
        closedWith(1009, Arrays.copyOf(WsPeer.frame(true, 0, 2, new byte[0], true, MAX + 1), 2 + 8 + 4));
    }

    @Test
    void refusesFragmentsThatTogetherPassTheLimitWith1009() throws Exception {
        closedWith(1009, masked(false, 2, bytes(MAX / 2 + 1)), masked(true, 0, bytes(MAX / 2 + 1)));
    }

    @Test
    void refusesAFrameAnnouncing2To63BytesWith1002() throws Exception {
        closedWith(1002, WsPeer.frame(true, 0, 2, new byte[0], true, Long.MIN_VALUE));
    }

    // ---- Autobahn category: Closing ----
    @Test
    void answersACloseWithACloseAndEnds() throws Exception {
        try (WsPeer peer = peer()) {
            peer.close(1000, "bye");
            WsPeer.Frame close = peer.readClose();
            assertThat(close.closeCode()).isEqualTo(1000);
            assertThat(peer.ended()).isTrue();
        }
    }

    @Test
    void answersAnEmptyCloseWith1000() throws Exception {
        try (WsPeer peer = peer()) {
            peer.send(true, 8, new byte[0]);
            assertThat(peer.readClose().closeCode()).isEqualTo(1000);
        }
    }

    @Test
    void takesApplicationCodes() throws Exception {
        for (int code : new int[] {1001, 1003, 1011, 3000, 4999}) {
            try (WsPeer peer = peer()) {
                peer.close(code, "");
                assertThat(peer.readClose().closeCode()).isEqualTo(1000);
            }
        }
    }

    @Test
    void refusesCloseCodesNoFrameMayCarryWith1002() throws Exception {
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
            byte[] payload = {(byte) (code >>> 8), (byte) code};
            closedWith(1002, masked(true, 8, payload));
        }
    }

    @Test
    void refusesACloseOfOneByteWith1002() throws Exception {
        closedWith(1002, masked(true, 8, new byte[] {3}));
    }

    @Test
    void refusesACloseReasonThatIsNotUtf8With1007() throws Exception {
        closedWith(1007, masked(true, 8, new byte[] {3, (byte) 0xE8, (byte) 0xFF}));
    }

    @Test
    void sendsNothingAfterItsClose() throws Exception {
        try (WsPeer peer = peer()) {
            peer.close(1000, "").text("ignored");
            assertThat(peer.readData().opcode()).isEqualTo(8);
            assertThat(peer.ended()).isTrue();
        }
    }

    @Test
    void tellsTheReasonOfAnErrorInTheClose() throws Exception {
        WsPeer.Frame close = closedWith(1002, masked(true, 3, bytes(1)));
        assertThat(close.closeReason()).contains("reserved opcode 0x3").hasSizeLessThanOrEqualTo(123);
    }

    // ---- Autobahn category: Compression ----
    @Test
    void inflatesACompressedMessageAndEchoesItUncompressed() throws Exception {
        try (WsPeer peer = WsPeer.open(server.port(), "/", "Sec-WebSocket-Extensions: permessage-deflate;"
                + " client_max_window_bits\r\n")) {
            assertThat(peer.response).containsIgnoringCase("Sec-WebSocket-Extensions: permessage-deflate");
            String text = "hello hello hello hello";
            peer.write(WsPeer.frame(true, 4, 1, deflate(text.getBytes(UTF_8)), true));
            WsPeer.Frame echo = peer.readData();
            assertThat(echo.rsv()).isZero();
            assertThat(echo.text()).isEqualTo(text);
        }
    }

    @Test
    void refusesACompressionBombWith1009BeforeInflatingItAll() throws Exception {
        byte[] bomb = deflate(new byte[16 * 1024 * 1024]); // 16 MiB of zeros in about 16 KiB
        assertThat(bomb.length).isLessThan(MAX);
        try (WsPeer peer = WsPeer.open(server.port(), "/", "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            peer.write(WsPeer.frame(true, 4, 2, bomb, true));
            assertThat(peer.readClose().closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void refusesRsv1WithoutTheExtensionWith1002() throws Exception {
        closedWith(1002, WsPeer.frame(true, 4, 1, deflate("x".getBytes(UTF_8)), true));
    }

    static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (true) {
            int n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
            out.write(chunk, 0, n);
            if (n < chunk.length && deflater.needsInput()) {
                break;
            }
        }
        deflater.end();
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - 4); // RFC 7692: drop the 00 00 ff ff tail
    }
}
