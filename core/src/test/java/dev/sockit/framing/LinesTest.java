package dev.sockit.framing;

import static dev.sockit.TestKit.texts;
import static dev.sockit.TestKit.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import dev.sockit.TestKit.Feed;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The lines framing, fed bytes directly: no sockets. */
class LinesTest {

    private static final int LIMIT = 8;

    private final Feed feed = new Feed(Lines.maxLength(LIMIT));

    @Test
    void decodesALineFedWhole() throws Exception {
        assertThat(texts(feed.feed("hello\n"))).containsExactly("hello");
        assertThat(feed.buffered()).isZero();
    }

    @Test
    void decodesALineFedOneByteAtATimeOnlyWhenItsNewlineArrives() throws Exception {
        assertThat(feed.feedByteByByte(utf8("hello"))).isEmpty();
        assertThat(texts(feed.feed("\n"))).containsExactly("hello");
    }

    @Test
    void decodesEveryLineFedOneByteAtATime() throws Exception {
        assertThat(texts(feed.feedByteByByte(utf8("one\ntwo\r\nthree\n")))).containsExactly("one", "two", "three");
    }

    @Test
    void decodesTwoLinesArrivingInOneBuffer() throws Exception {
        assertThat(texts(feed.feed("first\nsecond\n"))).containsExactly("first", "second");
    }

    @Test
    void keepsTheStartOfTheNextLineUntilItsNewlineArrives() throws Exception {
        assertThat(texts(feed.feed("first\nsec"))).containsExactly("first");
        assertThat(texts(feed.feed("ond\n"))).containsExactly("second");
    }

    @Test
    void dropsTheCarriageReturnOfACrLfTerminator() throws Exception {
        assertThat(texts(feed.feed("a\r\nb\r\n"))).containsExactly("a", "b");
    }

    @Test
    void keepsACarriageReturnInsideALine() throws Exception {
        assertThat(texts(feed.feed("a\rb\n"))).containsExactly("a\rb");
    }

    @Test
    void deliversEmptyLinesAsEmptyMessages() throws Exception {
        assertThat(texts(feed.feed("\n\r\n\n"))).containsExactly("", "", "");
    }

    @Test
    void joinsAMultiByteCharacterSplitAcrossFeeds() throws Exception {
        byte[] euro = utf8("€\n"); // E2 82 AC 0A
        assertThat(feed.feed(Arrays.copyOfRange(euro, 0, 1))).isEmpty();
        assertThat(feed.feed(Arrays.copyOfRange(euro, 1, 2))).isEmpty();
        assertThat(texts(feed.feed(Arrays.copyOfRange(euro, 2, 4)))).containsExactly("€");
    }

    @Test
    void decodesFourByteCharactersFedOneByteAtATime() throws Exception {
        assertThat(texts(feed.feedByteByByte(utf8("😀é\n")))).containsExactly("😀é");
    }

    @Test
    void acceptsALineExactlyAtTheLimit() throws Exception {
        assertThat(texts(feed.feed("12345678\n"))).containsExactly("12345678");
    }

    @Test
    void acceptsALineExactlyAtTheLimitEndedByCrLf() throws Exception {
        assertThat(texts(feed.feedByteByByte(utf8("12345678\r\n")))).containsExactly("12345678");
    }

    @Test
    void refusesALineOneByteOverTheLimit() {
        assertThatThrownBy(() -> feed.feed("123456789\n"))
                .isInstanceOf(MessageTooLongException.class)
                .hasMessage("line longer than 8 bytes")
                .satisfies(e -> assertThat(((MessageTooLongException) e).limit()).isEqualTo(LIMIT));
    }

    @Test
    void refusesAnOverLongLineAsSoonAsItPassesTheLimitBeforeItsNewlineArrives() throws Exception {
        assertThat(feed.feedByteByByte(utf8("12345678"))).isEmpty();
        // The ninth byte is not a '\r' that could belong to the terminator: the line is too long
        // now, and waiting for its end would let a peer make us buffer without bound.
        assertThatThrownBy(() -> feed.feed("9")).isInstanceOf(MessageTooLongException.class);
    }

    @Test
    void refusesAnEndlessLineWithoutBufferingMuchMoreThanTheLimit() {
        byte[] endless = new byte[1024 * 1024];
        Arrays.fill(endless, (byte) 'x');
        assertThatThrownBy(() -> {
            for (int i = 0; i < endless.length; i += 4) {
                feed.feed(Arrays.copyOfRange(endless, i, i + 4));
            }
        }).isInstanceOf(MessageTooLongException.class);
        assertThat(feed.buffered()).isLessThanOrEqualTo(LIMIT + 4);
    }

    @Test
    void waitsForTheNewlineWhenTheLimitIsReachedAndACarriageReturnFollows() throws Exception {
        assertThat(feed.feed("12345678\r")).isEmpty();
        assertThat(texts(feed.feed("\n"))).containsExactly("12345678");
    }

    @Test
    void refusesALineWhoseCarriageReturnTurnsOutToBeContent() {
        assertThatThrownBy(() -> feed.feed("12345678\rx")).isInstanceOf(MessageTooLongException.class);
    }

    @Test
    void deliversTheLastUnterminatedLineAtFinish() throws Exception {
        assertThat(texts(feed.feed("first\nlast"))).containsExactly("first");
        assertThat(feed.finish()).isEqualTo(Message.of("last"));
    }

    @Test
    void deliversALastLineExactlyAtTheLimitAtFinishEvenWithAStrayCarriageReturn() throws Exception {
        feed.feed("12345678\r");
        assertThat(feed.finish()).isEqualTo(Message.of("12345678"));
    }

    @Test
    void finishReturnsNothingWhenNoBytesAreLeft() throws Exception {
        feed.feed("whole\n");
        assertThat(feed.finish()).isNull();
    }

    @Test
    void findsLinesInADirectBuffer() throws Exception {
        Framing.Decoder decoder = Lines.maxLength(LIMIT).decoder();
        ByteBuffer direct = ByteBuffer.allocateDirect(16).put(utf8("ab\ncd\n")).flip();
        assertThat(decoder.decode(direct)).isEqualTo(Message.of("ab"));
        assertThat(decoder.decode(direct)).isEqualTo(Message.of("cd"));
        assertThat(decoder.decode(direct)).isNull();
    }

    @Test
    void encodesAMessageAsItsBytesAndANewline() {
        Lines lines = Lines.defaults();
        Message message = Message.of("hé");
        ByteBuffer out = ByteBuffer.allocate(lines.encodedLength(message));
        lines.encode(message, out);
        assertThat(out.hasRemaining()).isFalse();
        assertThat(out.array()).isEqualTo(utf8("hé\n"));
    }

    @Test
    void tellsThePeerAboutAnErrorInOneLine() {
        CloseReason tooLong = CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, "line longer than 65536 bytes");
        assertThat(Lines.defaults().farewell(tooLong)).isEqualTo(utf8("error: line longer than 65536 bytes\n"));
    }

    @Test
    void saysNothingWhenClosingWithoutAnError() {
        assertThat(Lines.defaults().farewell(CloseReason.closed())).isNull();
    }

    @Test
    void refusesALimitBelowOneByteNamingIt() {
        assertThatThrownBy(() -> Lines.maxLength(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
    }
}
