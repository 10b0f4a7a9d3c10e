package dev.sockit.framing;

import static dev.sockit.TestKit.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import dev.sockit.TestKit.Feed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The raw framing, fed bytes directly: no sockets. */
class RawTest {

    private final Feed feed = new Feed(Raw.bytes());

    @Test
    void deliversWhatIsFedWholeAsOneMessage() throws Exception {
        assertThat(feed.feed("hello")).containsExactly(Message.of("hello"));
        assertThat(feed.buffered()).isZero();
    }

    @Test
    void deliversEachByteFedOneAtATimeAsItsOwnMessage() throws Exception {
        assertThat(feed.feedByteByByte(utf8("abc")))
                .containsExactly(Message.of("a"), Message.of("b"), Message.of("c"));
    }

    @Test
    void deliversTwoMessagesInOneBufferAsOneChunkBecauseRawKnowsNoBoundaries() throws Exception {
        assertThat(feed.feed("one\ntwo\n")).containsExactly(Message.of("one\ntwo\n"));
    }

    @Test
    void deliversAMultiByteCharacterSplitAcrossFeedsAsTheBytesThatCame() throws Exception {
        byte[] euro = utf8("€");
        List<Message> pieces = feed.feedByteByByte(euro);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (Message piece : pieces) {
            joined.write(piece.bytes());
        }
        assertThat(pieces).hasSize(3);
        assertThat(joined.toByteArray()).isEqualTo(euro);
    }

    @Test
    void keepsNulAndEveryOtherByteValue() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(feed.feed(all)).singleElement().satisfies(m -> assertThat(m.bytes()).isEqualTo(all));
    }

    @Test
    void decodesNothingFromAnEmptyBuffer() throws Exception {
        assertThat(Raw.bytes().decoder().decode(ByteBuffer.allocate(0))).isNull();
    }

    @Test
    void hasNothingLeftToDeliverAtFinish() throws Exception {
        feed.feed("tail");
        assertThat(feed.finish()).isNull();
    }

    @Test
    void encodesAMessageAsExactlyItsBytes() {
        byte[] bytes = {0, 'a', '\n', (byte) 0xff};
        Message message = Message.of(bytes);
        ByteBuffer out = ByteBuffer.allocate(Raw.bytes().encodedLength(message));
        Raw.bytes().encode(message, out);
        assertThat(out.hasRemaining()).isFalse();
        assertThat(Arrays.equals(out.array(), bytes)).isTrue();
    }

    @Test
    void sendsNoFarewellEvenForAnError() {
        assertThat(Raw.bytes().farewell(CloseReason.of(CloseReason.Code.LIMIT, "server busy"))).isNull();
    }
}
