package dev.sockit.framing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FramesTest {

    private static final Frames FRAMES = Frames.defaults();
    private static final byte[] GREETING = hex("53 4b 46 01 0a");

    // ---- what goes on the wire: the bytes docs/protocol.md shows ----

    @Test
    void greetsWithSkfTheVersionAndANewline() {
        assertThat(FRAMES.greeting()).containsExactly(GREETING);
        assertThat(FRAMES.greeting()).as("a copy each time").isNotSameAs(FRAMES.greeting());
    }

    @Test
    void encodesAMessageAsADataFrame() {
        Message hello = Message.of("hello");
        ByteBuffer out = ByteBuffer.allocate(FRAMES.encodedLength(hello));
        FRAMES.encode(hello, out);
        assertThat(out.hasRemaining()).isFalse();
        assertThat(out.array()).containsExactly(hex("01 00 00 00 05 68 65 6c 6c 6f"));
    }

    @Test
    void writesTheLengthBigEndianWhateverTheBufferOrder() {
        ByteBuffer out = ByteBuffer.allocate(5 + 258).order(ByteOrder.LITTLE_ENDIAN);
        FRAMES.encode(Message.of(new byte[258]), out);
        assertThat(out.array()).startsWith(hex("01 00 00 01 02"));
    }

    @Test
    void pingAndPongCarryTheirPayload() {
        byte[] time = hex("00 00 00 00 00 00 00 07");
        assertThat(FRAMES.canPing()).isTrue();
        assertThat(FRAMES.ping(time)).containsExactly(hex("02 00 00 00 08 00 00 00 00 00 00 00 07"));
        assertThat(FRAMES.pong(time)).containsExactly(hex("03 00 00 00 08 00 00 00 00 00 00 00 07"));
        assertThat(FRAMES.ping(new byte[0])).containsExactly(hex("02 00 00 00 00"));
    }

    @Test
    void refusesToPingWithMoreThan125Bytes() {
        assertThat(FRAMES.ping(new byte[125])).hasSize(130);
        assertThatThrownBy(() -> FRAMES.ping(new byte[126]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("126 bytes").hasMessageContaining("125");
    }

    @Test
    void farewellForAShutdownIsACloseGoingAway() {
        byte[] farewell = FRAMES.farewell(CloseReason.of(CloseReason.Code.SHUTDOWN, "server stopping"));
        assertThat(farewell).containsExactly(hex("04 00 00 00 11 03 e9 73 65 72 76 65 72 20 73 74 6f 70 70 69 6e 67"));
    }

    @ParameterizedTest
    @EnumSource(CloseReason.Code.class)
    void farewellIsACloseFrameForEveryReason(CloseReason.Code code) throws Exception {
        Recorder peer = new Recorder();
        Framing.Decoder decoder = FRAMES.decoder(peer);
        assertThat(decoder.decode(ByteBuffer.wrap(concat(GREETING, FRAMES.farewell(CloseReason.of(code, "why")))))).isNull();
        assertThat(peer.events).containsExactly("close " + Frames.closeCode(code) + " why");
    }

    @Test
    void mapsEachReasonToItsCloseCode() {
        assertThat(Frames.closeCode(CloseReason.Code.PEER_CLOSED)).isEqualTo(1000);
        assertThat(Frames.closeCode(CloseReason.Code.CLOSED)).isEqualTo(1000);
        assertThat(Frames.closeCode(CloseReason.Code.SHUTDOWN)).isEqualTo(1001);
        assertThat(Frames.closeCode(CloseReason.Code.PROTOCOL_ERROR)).isEqualTo(1002);
        assertThat(Frames.closeCode(CloseReason.Code.LIMIT)).isEqualTo(1008);
        assertThat(Frames.closeCode(CloseReason.Code.BROKEN)).isEqualTo(1011);
        assertThat(Frames.closeCode(CloseReason.Code.HANDLER_FAILED)).isEqualTo(1011);
    }

    @Test
    void namesCloseCodesForLogs() {
        assertThat(Frames.closeCodeName(1000)).isEqualTo("normal");
        assertThat(Frames.closeCodeName(1001)).isEqualTo("going away");
        assertThat(Frames.closeCodeName(1002)).isEqualTo("protocol error");
        assertThat(Frames.closeCodeName(1008)).isEqualTo("limit");
        assertThat(Frames.closeCodeName(1011)).isEqualTo("internal error");
        assertThat(Frames.closeCodeName(4000)).isEqualTo("application");
        assertThat(Frames.closeCodeName(4999)).isEqualTo("application");
        assertThat(Frames.closeCodeName(5000)).isEqualTo("unknown");
        assertThat(Frames.closeCodeName(1003)).isEqualTo("unknown");
    }

    @Test
    void cutsALongCloseReasonBetweenCharacters() throws Exception {
        // 100 two-byte characters: 200 bytes, cut to 61 characters (122 bytes), not 123.
        byte[] frame = Frames.closeFrame(4001, "é".repeat(100));
        assertThat(frame).hasSize(5 + 2 + 122);
        Recorder peer = new Recorder();
        FRAMES.decoder(peer).decode(ByteBuffer.wrap(concat(GREETING, frame)));
        assertThat(peer.events).containsExactly("close 4001 " + "é".repeat(61));
    }

    @Test
    void buildsCloseFramesWithApplicationCodes() {
        assertThat(Frames.closeFrame(4001, "kicked")).containsExactly(hex("04 00 00 00 08 0f a1 6b 69 63 6b 65 64"));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 999, 1003, 1005, 3000, 5000, 65536})
    void refusesToSendCloseCodesOutsideTheTable(int code) {
        assertThatThrownBy(() -> Frames.closeFrame(code, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("close code " + code)
                .hasMessageContaining("4000 to 4999");
    }

    // ---- decoding, fed whole, one byte at a time, and several frames per buffer ----

    private static final byte[] SESSION = concat(GREETING,
            hex("01 00 00 00 01 61"),              // DATA "a"
            hex("02 00 00 00 02 70 31"),           // PING "p1"
            hex("01 00 00 00 00"),                 // DATA ""
            hex("03 00 00 00 02 70 32"),           // PONG "p2"
            hex("01 00 00 00 03 62 63 64"),        // DATA "bcd"
            hex("04 00 00 00 05 03 e8 62 79 65")); // CLOSE 1000 "bye"
    private static final List<String> SESSION_EVENTS = List.of(
            "data a", "ping p1", "data ", "pong p2", "data bcd", "close 1000 bye");

    @Test
    void decodesASessionFedWhole() throws Exception {
        Recorder recorder = new Recorder();
        recorder.feed(FRAMES.decoder(recorder), ByteBuffer.wrap(SESSION));
        assertThat(recorder.events).containsExactlyElementsOf(SESSION_EVENTS);
    }

    @Test
    void decodesTheSameSessionFedOneByteAtATime() throws Exception {
        Recorder recorder = new Recorder();
        Framing.Decoder decoder = FRAMES.decoder(recorder);
        ByteBuffer buffer = ByteBuffer.allocate(SESSION.length).flip();
        for (byte b : SESSION) {
            buffer.compact().put(b).flip();
            recorder.feed(decoder, buffer);
        }
        assertThat(recorder.events).containsExactlyElementsOf(SESSION_EVENTS);
        assertThat(buffer.hasRemaining()).isFalse();
    }

    @Test
    void returnsTwoMessagesFromTwoFramesInOneBuffer() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("01 00 00 00 02 68 69"), hex("01 00 00 00 02 79 6f")));
        Framing.Decoder decoder = FRAMES.decoder();
        assertThat(decoder.decode(in)).isEqualTo(Message.of("hi"));
        assertThat(in.position()).as("just past the first frame").isEqualTo(5 + 7);
        assertThat(decoder.decode(in)).isEqualTo(Message.of("yo"));
        assertThat(decoder.decode(in)).isNull();
        assertThat(in.hasRemaining()).isFalse();
    }

    @Test
    void leavesAnIncompleteFrameInTheBufferUntilItIsWhole() throws Exception {
        ByteBuffer in = ByteBuffer.allocate(64);
        in.put(GREETING).put(hex("01 00 00 00 05 68 65")).flip();
        Framing.Decoder decoder = FRAMES.decoder();
        assertThat(decoder.decode(in)).isNull();
        assertThat(in.position()).as("the greeting is consumed, the partial frame is not").isEqualTo(5);
        in.compact().put(hex("6c 6c 6f")).flip();
        assertThat(decoder.decode(in)).isEqualTo(Message.of("hello"));
    }

    @Test
    void consumesControlFramesBeforeAnIncompleteFrame() throws Exception {
        Recorder recorder = new Recorder();
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("02 00 00 00 01 78"), hex("01 00 00 00 09 61")));
        assertThat(FRAMES.decoder(recorder).decode(in)).isNull();
        assertThat(recorder.events).containsExactly("ping x");
        assertThat(in.position()).as("past the ping, at the partial DATA frame").isEqualTo(5 + 6);
    }

    @Test
    void decoderWithoutControlSkipsControlFrames() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("02 00 00 00 01 78"), hex("01 00 00 00 01 61")));
        assertThat(FRAMES.decoder().decode(in)).isEqualTo(Message.of("a"));
    }

    @Test
    void discardsWhateverFollowsAClose() throws Exception {
        Recorder recorder = new Recorder();
        Framing.Decoder decoder = FRAMES.decoder(recorder);
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("04 00 00 00 02 03 e8"), hex("01 00 00 00 01 61 ff ff")));
        assertThat(decoder.decode(in)).isNull();
        assertThat(in.hasRemaining()).as("consumed, so that it cannot fill the buffer").isFalse();
        assertThat(decoder.decode(ByteBuffer.wrap(hex("01 00 00 00 01 62")))).isNull();
        assertThat(decoder.finish(ByteBuffer.wrap(hex("01 00")))).isNull();
        assertThat(recorder.events).containsExactly("close 1000 ");
    }

    @ParameterizedTest(name = "payload of {0} bytes")
    @MethodSource("payloadSizes")
    void decodesWhatItEncodes(int size) throws Exception {
        Random random = new Random(size);
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        Message message = Message.of(payload);
        for (boolean direct : new boolean[] {false, true}) {
            int length = GREETING.length + 2 * FRAMES.encodedLength(message);
            ByteBuffer wire = direct ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
            wire.put(GREETING);
            FRAMES.encode(message, wire);
            FRAMES.encode(message, wire);
            wire.flip();
            Framing.Decoder decoder = FRAMES.decoder();
            assertThat(decoder.decode(wire)).as("first, direct: %s", direct).isEqualTo(message);
            assertThat(decoder.decode(wire)).as("second, direct: %s", direct).isEqualTo(message);
            assertThat(decoder.finish(wire)).isNull();
        }
    }

    static Stream<Integer> payloadSizes() {
        Random random = new Random(42);
        return Stream.concat(
                Stream.of(0, 1, 2, 125, 126, 255, 256, 65535, 65536, Frames.DEFAULT_MAX_LENGTH),
                IntStream.range(0, 20).mapToObj(i -> random.nextInt(Frames.DEFAULT_MAX_LENGTH + 1)));
    }

    @Test
    void acceptsAFrameAtTheLimit() throws Exception {
        Frames frames = Frames.maxLength(100);
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("01 00 00 00 64"), new byte[100]));
        assertThat(frames.decoder().decode(in).length()).isEqualTo(100);
    }

    @Test
    void refusesAFrameOverTheLimitFromItsHeaderAlone() {
        Frames frames = Frames.maxLength(100);
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("01 00 00 00 65")));
        assertThatThrownBy(() -> frames.decoder().decode(in))
                .isInstanceOfSatisfying(MessageTooLongException.class, e -> assertThat(e.limit()).isEqualTo(100))
                .hasMessage("frame of 101 bytes is longer than the limit of 100 bytes");
    }

    @Test
    void refusesAControlFrameOver125BytesFromItsHeaderAlone() {
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("03 00 00 00 7e")));
        assertThatThrownBy(() -> FRAMES.decoder().decode(in))
                .isInstanceOf(FramingException.class)
                .isNotInstanceOf(MessageTooLongException.class)
                .hasMessageContaining("PONG control frame of 126 bytes at byte 5");
    }

    @Test
    void keepsFailingOnceFailed() throws Exception {
        Framing.Decoder decoder = FRAMES.decoder();
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("07")));
        assertThatThrownBy(() -> decoder.decode(in)).hasMessageContaining("unknown frame type 0x07");
        ByteBuffer good = ByteBuffer.wrap(hex("01 00 00 00 01 61"));
        assertThatThrownBy(() -> decoder.decode(good)).hasMessageContaining("unknown frame type 0x07");
        assertThatThrownBy(() -> decoder.finish(good)).hasMessageContaining("unknown frame type 0x07");
    }

    @Test
    void endsCleanlyWithNothingLeft() throws Exception {
        assertThat(FRAMES.decoder().finish(ByteBuffer.allocate(0))).isNull();
        Framing.Decoder decoder = FRAMES.decoder();
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("01 00 00 00 01 61")));
        assertThat(decoder.finish(in)).as("a whole frame left at the end is still a message").isEqualTo(Message.of("a"));
        assertThat(decoder.finish(in)).isNull();
    }

    @Test
    void refusesAStreamThatEndsInsideAFrame() {
        ByteBuffer in = ByteBuffer.wrap(concat(GREETING, hex("01 00 00 00 05 68 65")));
        assertThatThrownBy(() -> FRAMES.decoder().finish(in))
                .isInstanceOf(FramingException.class)
                .hasMessageContaining("stream ended inside a DATA frame at byte 5 (7 of 10 bytes)");
    }

    @Test
    void refusesAnotherVersionNamingBoth() {
        assertThatThrownBy(() -> FRAMES.decoder().decode(ByteBuffer.wrap(hex("53 4b 46 02"))))
                .hasMessage("peer speaks frames version 2, this side speaks version 1:"
                        + " run the same protocol version on both sides");
    }

    @Test
    void tellsALinesPeerWhichFramingToUse() {
        assertThatThrownBy(() -> FRAMES.decoder().decode(ByteBuffer.wrap("hello\n".getBytes(UTF_8))))
                .hasMessageStartingWith("not a frames greeting: \"hello\\n\" looks like text from a lines peer;"
                        + " use --framing lines on both sides")
                .hasMessageContaining("got 68 65 6c 6c 6f 0a, expected 53 4b 46 01 0a");
    }

    @Test
    void quotesAtMost16BytesOfWhatThePeerSent() {
        byte[] request = "GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n".getBytes(UTF_8);
        assertThatThrownBy(() -> FRAMES.decoder().decode(ByteBuffer.wrap(request)))
                .hasMessageContaining("\"GET /index.html \" … looks like HTTP")
                .hasMessageContaining("got 47 45 54 20 2f 69 6e 64 65 78 2e 68 74 6d 6c 20 …,");
    }

    @Test
    void refusesAWrongByteWithoutWaitingForTheWholeGreeting() {
        assertThatThrownBy(() -> FRAMES.decoder().decode(ByteBuffer.wrap(hex("53 4b 00"))))
                .hasMessageStartingWith("not a frames greeting: \"SK\\x00\"");
    }

    @Test
    void waitsForTheRestOfAGreetingThatIsRightSoFar() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(hex("53 4b 46"));
        Framing.Decoder decoder = FRAMES.decoder();
        assertThat(decoder.decode(in)).isNull();
        assertThat(in.position()).isZero();
        assertThatThrownBy(() -> decoder.finish(in))
                .hasMessageContaining("stream ended inside the greeting (3 of 5 bytes)");
    }

    @Test
    void readsBigEndianWhateverTheBufferOrder() throws Exception {
        byte[] wire = concat(GREETING, hex("01 00 00 01 02"), new byte[258], hex("04 00 00 00 02 0f a1"));
        Recorder recorder = new Recorder();
        ByteBuffer in = ByteBuffer.allocateDirect(wire.length).order(ByteOrder.LITTLE_ENDIAN).put(wire).flip();
        recorder.feed(FRAMES.decoder(recorder), in);
        assertThat(recorder.events).hasSize(2).last().isEqualTo("close 4001 ");
    }

    @Test
    void decodingAllocatesNothingButTheMessages() throws Exception {
        // 100,000 DATA frames of 16 bytes, against the cost of cutting 100,000 such messages
        // out of a buffer (about 56 bytes each with compressed pointers). A decoder that
        // allocated per call (a slice, a boxed length, an iterator) would cost 16 bytes or more
        // per frame on top.
        int count = 100_000;
        int frameLength = 5 + 16;
        ByteBuffer wire = ByteBuffer.allocate(GREETING.length + count * frameLength).put(GREETING);
        Message message = Message.of(new byte[16]);
        for (int i = 0; i < count; i++) {
            FRAMES.encode(message, wire);
        }
        wire.flip();
        // Warm up: class loading and the first compilations allocate.
        cutMessages(wire, count, frameLength);
        decodeAll(wire.duplicate());

        long before = allocatedByThisThread();
        cutMessages(wire, count, frameLength);
        long perMessage = (allocatedByThisThread() - before) / count;
        before = allocatedByThisThread();
        int decoded = decodeAll(wire.duplicate());
        long perFrame = (allocatedByThisThread() - before) / count;

        assertThat(decoded).isEqualTo(count);
        assertThat(perFrame).as("bytes allocated per frame decoded, where a message alone costs %d", perMessage)
                .isLessThanOrEqualTo(perMessage + 8);
    }

    private static volatile Message sink;

    private static void cutMessages(ByteBuffer wire, int count, int frameLength) {
        for (int i = 0; i < count; i++) {
            sink = Message.copyOf(wire, GREETING.length + i * frameLength + 5, frameLength - 5);
        }
    }

    // By reflection: module dev.sockit does not read java.management, and should not for a test.
    private static long allocatedByThisThread() throws ReflectiveOperationException {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getCurrentThreadAllocatedBytes").invoke(threads);
    }

    private static int decodeAll(ByteBuffer wire) throws FramingException {
        Framing.Decoder decoder = FRAMES.decoder();
        int n = 0;
        while (decoder.decode(wire) != null) {
            n++;
        }
        return n;
    }

    // ---- settings ----

    @Test
    void defaultsToOneMebibyteFrames() {
        assertThat(Frames.defaults().maxLength()).isEqualTo(1024 * 1024);
        assertThat(Frames.maxLength(Frames.DEFAULT_MAX_LENGTH)).isSameAs(Frames.defaults());
        assertThat(Frames.defaults().name()).isEqualTo("frames");
        assertThat(Frames.maxLength(64)).hasToString("frames (max 64 bytes)");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, (1 << 29) + 1, Integer.MAX_VALUE})
    void refusesALimitOutsideItsRange(int limit) {
        assertThatThrownBy(() -> Frames.maxLength(limit))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frame limit must be between 1 and 536870912 bytes, not " + limit);
    }

    // ---- helpers ----

    /** Records messages and control frames as "data TEXT", "ping TEXT", "close CODE TEXT". */
    private static final class Recorder implements Framing.Control {
        final List<String> events = new ArrayList<>();

        void feed(Framing.Decoder decoder, ByteBuffer in) throws FramingException {
            for (Message m; (m = decoder.decode(in)) != null; ) {
                events.add("data " + m.text());
            }
        }

        @Override
        public void pinged(byte[] payload) {
            events.add("ping " + new String(payload, UTF_8));
        }

        @Override
        public void ponged(byte[] payload) {
            events.add("pong " + new String(payload, UTF_8));
        }

        @Override
        public void closing(int code, String reason) {
            events.add("close " + code + " " + reason);
        }
    }

    private static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", ""));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
