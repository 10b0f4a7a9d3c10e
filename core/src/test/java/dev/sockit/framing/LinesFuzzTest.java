package dev.sockit.framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sockit.Message;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The lines decoder under random input cut at random points (see {@link Fuzz} for seeds and
 * longer runs): it fails only with {@link FramingException}, gives back exactly what a simple
 * model of the framing says, whatever the cuts, and never holds or returns more than its limit.
 */
class LinesFuzzTest {

    // Bytes that matter to the framing, and a character that is not ASCII.
    private static final byte[] ALPHABET = {'\n', '\r', 'a', 'b', ' ', (byte) 0xE2, (byte) 0x82, (byte) 0xAC, 0};

    @Test
    void randomBytesCutAnywhereDecodeAsTheModelSaysOrFailOnlyWithAFramingException() {
        Fuzz.forAll("lines, random bytes", random -> {
            int limit = limit(random);
            byte[] stream = Fuzz.bytes(random, random.nextInt(Math.min(4 * limit, 4000) + 64), ALPHABET);
            Model expected = Model.of(stream, limit);

            List<Message> got = new ArrayList<>();
            Fuzz.Stream decoder = new Fuzz.Stream(Lines.maxLength(limit).decoder(), got::add);
            FramingException failure = null;
            try {
                for (byte[] piece : Fuzz.split(random, stream)) {
                    decoder.feed(piece);
                }
                Message last = decoder.finish();
                if (last != null) {
                    got.add(last);
                }
            } catch (FramingException e) {
                failure = e;
            } catch (RuntimeException e) {
                fail("only a FramingException may escape the decoder, not " + e, e);
            }
            for (Message m : got) {
                assertThat(m.length()).as("a message within the limit").isLessThanOrEqualTo(limit);
            }
            assertThat(decoder.mostHeld()).as("bytes held undecoded").isLessThanOrEqualTo(limit + 1);
            assertThat(got).as("messages before any failure").isEqualTo(expected.messages);
            if (expected.tooLong) {
                assertThat(failure).as("an over-long line is refused").isInstanceOf(MessageTooLongException.class);
            } else {
                assertThat(failure).as("no failure for lines within the limit").isNull();
            }
        });
    }

    @Test
    void validLinesRoundTripExactlyWhereverTheStreamIsCut() {
        Fuzz.forAll("lines, round trip", random -> {
            int limit = limit(random);
            Lines lines = Lines.maxLength(limit);
            List<Message> sent = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (int i = random.nextInt(40); i > 0; i--) {
                // Now and then a line exactly at the limit; most of them shorter, to keep runs quick.
                int length = random.nextInt(8) == 0 ? limit : random.nextInt(Math.min(limit, 3000) + 1);
                Message message = Message.of(line(random, length));
                sent.add(message);
                java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(lines.encodedLength(message) + 1);
                if (random.nextInt(4) == 0) {
                    message.writeTo(out); // a peer that ends its lines with "\r\n", as telnet does
                    out.put((byte) '\r').put((byte) '\n');
                } else {
                    lines.encode(message, out);
                }
                wire.write(out.array(), 0, out.position());
            }
            Fuzz.Stream decoder = new Fuzz.Stream(lines.decoder());
            List<Message> got = new ArrayList<>();
            for (byte[] piece : Fuzz.split(random, wire.toByteArray())) {
                got.addAll(decoder.feed(piece));
            }
            assertThat(decoder.finish()).as("nothing left at the end").isNull();
            assertThat(got).isEqualTo(sent);
        });
    }

    @Test
    void anEndlessLineIsRefusedOnceItPassesTheLimitWhateverTheCuts() {
        Fuzz.forAll("lines, endless line", random -> {
            int limit = limit(random);
            Fuzz.Stream decoder = new Fuzz.Stream(Lines.maxLength(limit).decoder());
            long fed = 0;
            try {
                // Ten times the limit is plenty: the refusal must come just past it.
                while (fed < 10L * limit + 10) {
                    byte[] piece = Fuzz.bytes(random, 1 + random.nextInt(32), new byte[] {'x', '\r', (byte) 0xFF});
                    for (int i = 0; i < piece.length; i++) {
                        if (piece[i] == '\n') {
                            piece[i] = 'y';
                        }
                    }
                    assertThat(decoder.feed(piece)).as("no message from a line without an end").isEmpty();
                    fed += piece.length;
                    // A '\r' right after the limit may begin the terminator, so limit + 1 may wait.
                    assertThat(fed).as("bytes taken without refusing the line").isLessThanOrEqualTo(limit + 1);
                }
                fail("a line of " + fed + " bytes without a newline was never refused");
            } catch (MessageTooLongException expected) {
                assertThat(expected.limit()).isEqualTo(limit);
            }
            assertThat(decoder.mostHeld()).isLessThanOrEqualTo(limit + 1);
            // The buffer doubles from 16 bytes only while a line needs more, so it stays within
            // twice the limit plus what one read may bring.
            assertThat(decoder.largestCapacity()).isLessThanOrEqualTo(Math.max(16, 2 * (limit + 1)));
        });
    }

    private static int limit(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> 1 + random.nextInt(4);
            case 1 -> Lines.DEFAULT_MAX_LENGTH;
            default -> 1 + random.nextInt(300);
        };
    }

    /** A line's content: no '\n', and no '\r' at its end, which the framing would take for part of "\r\n". */
    private static byte[] line(SplittableRandom random, int length) {
        byte[] bytes = Fuzz.bytes(random, length, ALPHABET);
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n' || i == length - 1 && bytes[i] == '\r') {
                bytes[i] = 'z';
            }
        }
        return bytes;
    }

    /** What the lines framing promises, written as simply as possible, for a whole stream. */
    private record Model(List<Message> messages, boolean tooLong) {
        static Model of(byte[] stream, int limit) {
            List<Message> messages = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < stream.length; i++) {
                if (stream[i] == '\n') {
                    int end = i > start && stream[i - 1] == '\r' ? i - 1 : i;
                    if (end - start > limit) {
                        return new Model(messages, true);
                    }
                    messages.add(Message.of(Arrays.copyOfRange(stream, start, end)));
                    start = i + 1;
                }
            }
            int end = stream.length;
            if (end > start && stream[end - 1] == '\r') {
                end--;
            }
            if (end - start > limit) {
                return new Model(messages, true);
            }
            if (end > start || stream.length > start) {
                messages.add(Message.of(Arrays.copyOfRange(stream, start, end)));
            }
            return new Model(messages, false);
        }
    }
}
