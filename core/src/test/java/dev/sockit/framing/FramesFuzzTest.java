package dev.sockit.framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.sockit.Message;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The frames decoder under random input cut at random points (see {@link Fuzz} for seeds and
 * longer runs): it fails only with {@link FramingException}; where the stream is cut changes
 * nothing it reports; valid frames round-trip exactly; and a header announcing more than the
 * limit is refused from the header alone, so nothing beyond the limit is ever held.
 */
class FramesFuzzTest {

    private static final byte[] GREETING = Frames.defaults().greeting();

    @Test
    void randomStreamsFailOnlyWithAFramingExceptionAndReportTheSameWhereverTheyAreCut() {
        Fuzz.forAll("frames, random streams", random -> {
            int limit = limit(random);
            byte[] stream = hostileStream(random, limit);
            Outcome whole = decode(Frames.maxLength(limit), List.of(stream));
            Outcome cut = decode(Frames.maxLength(limit), Fuzz.split(random, stream));
            assertThat(cut.events).as("what the decoder reports, cut or whole").isEqualTo(whole.events);
            assertThat(cut.failure).as("how the decoder fails, cut or whole").isEqualTo(whole.failure);
            for (Outcome outcome : List.of(whole, cut)) {
                // Held undecoded: at most one partial frame, header included (a control frame may
                // carry 125 bytes whatever the DATA limit), or a partial greeting.
                assertThat(outcome.mostHeld).as("bytes held undecoded")
                        .isLessThan(Frames.HEADER_LENGTH + Math.max(limit, Frames.MAX_CONTROL_PAYLOAD));
                for (String event : outcome.events) {
                    if (event.startsWith("data ")) {
                        assertThat((event.length() - 5) / 2).as("a DATA payload within the limit").isLessThanOrEqualTo(limit);
                    } else if (!event.startsWith("close ")) {
                        assertThat((event.length() - 5) / 2).as("a control payload").isLessThanOrEqualTo(Frames.MAX_CONTROL_PAYLOAD);
                    }
                }
            }
        });
    }

    @Test
    void validFramesRoundTripExactlyWhereverTheStreamIsCut() {
        Fuzz.forAll("frames, round trip", random -> {
            int limit = limit(random);
            Frames frames = Frames.maxLength(limit);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.write(GREETING);
            List<String> expected = new ArrayList<>();
            for (int i = random.nextInt(30); i > 0; i--) {
                switch (random.nextInt(6)) {
                    case 0 -> {
                        byte[] payload = Fuzz.bytes(random, random.nextInt(Frames.MAX_CONTROL_PAYLOAD + 1), new byte[0]);
                        wire.write(frames.ping(payload));
                        expected.add("ping " + HEX.formatHex(payload));
                    }
                    case 1 -> {
                        byte[] payload = Fuzz.bytes(random, random.nextInt(Frames.MAX_CONTROL_PAYLOAD + 1), new byte[0]);
                        wire.write(frames.pong(payload));
                        expected.add("pong " + HEX.formatHex(payload));
                    }
                    default -> {
                        Message message = Message.of(Fuzz.bytes(random, random.nextInt(Math.min(limit, 3000) + 1), new byte[0]));
                        ByteBuffer out = ByteBuffer.allocate(frames.encodedLength(message));
                        frames.encode(message, out);
                        wire.write(out.array());
                        expected.add("data " + HEX.formatHex(message.bytes()));
                    }
                }
            }
            if (random.nextBoolean()) {
                String reason = "bye " + random.nextInt(1000);
                wire.write(Frames.closeFrame(Frames.CLOSE_NORMAL, reason));
                expected.add("close " + Frames.CLOSE_NORMAL + " " + reason);
                wire.write(Fuzz.bytes(random, random.nextInt(100), new byte[0])); // ignored after a CLOSE
            }
            Outcome got = decode(frames, Fuzz.split(random, wire.toByteArray()));
            assertThat(got.failure).isNull();
            assertThat(got.events).isEqualTo(expected);
        });
    }

    @Test
    void aHeaderAnnouncingMoreThanTheLimitIsRefusedBeforeAnyPayloadIsHeld() {
        Fuzz.forAll("frames, over-long header", random -> {
            int limit = limit(random);
            long announced = limit + 1 + (random.nextBoolean() ? random.nextInt(1000) : random.nextLong(0xFFFF_FFFFL - limit));
            ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_LENGTH).put(Frames.DATA).putInt((int) announced);
            byte[] stream = concat(GREETING, header.array(), new byte[1 + random.nextInt(64)]);
            Fuzz.Stream decoder = new Fuzz.Stream(Frames.maxLength(limit).decoder());
            int fed = 0;
            try {
                for (byte[] piece : Fuzz.split(random, stream)) {
                    decoder.feed(piece);
                    fed += piece.length;
                    assertThat(fed).as("bytes taken without refusing the header")
                            .isLessThan(GREETING.length + Frames.HEADER_LENGTH);
                }
                fail("a DATA header announcing " + announced + " bytes over a limit of " + limit + " was never refused");
            } catch (MessageTooLongException expected) {
                assertThat(expected).hasMessageContaining("frame of " + announced + " bytes");
            }
            assertThat(decoder.mostHeld()).isLessThan(Frames.HEADER_LENGTH);
        });
    }

    @Test
    void aFrameTrickledInNeverMakesTheBufferGrowPastTwiceItsSize() {
        Fuzz.forAll("frames, trickled frame", random -> {
            int limit = 1 + random.nextInt(5000);
            Frames frames = Frames.maxLength(limit);
            Message message = Message.of(new byte[limit]);
            ByteBuffer frame = ByteBuffer.allocate(frames.encodedLength(message));
            frames.encode(message, frame);
            Fuzz.Stream decoder = new Fuzz.Stream(frames.decoder());
            List<Message> got = new ArrayList<>();
            for (byte[] piece : Fuzz.split(random, concat(GREETING, frame.array()))) {
                got.addAll(decoder.feed(piece));
            }
            assertThat(got).containsExactly(message);
            assertThat(decoder.largestCapacity()).isLessThanOrEqualTo(Math.max(16, 2 * (Frames.HEADER_LENGTH + limit)));
        });
    }

    @Test
    void aStreamEndingInsideAFrameIsAFramingExceptionAtFinishNeverAMessage() {
        Fuzz.forAll("frames, cut short", random -> {
            int limit = limit(random);
            Frames frames = Frames.maxLength(limit);
            Message message = Message.of(Fuzz.bytes(random, 1 + random.nextInt(Math.min(limit, 500)), new byte[0]));
            ByteBuffer frame = ByteBuffer.allocate(frames.encodedLength(message));
            frames.encode(message, frame);
            byte[] whole = concat(GREETING, frame.array());
            // Anywhere inside the greeting or the frame; a cut just after the greeting ends between frames.
            int at = 1 + random.nextInt(whole.length - 2);
            byte[] cut = java.util.Arrays.copyOf(whole, at >= GREETING.length ? at + 1 : at);
            Fuzz.Stream decoder = new Fuzz.Stream(frames.decoder());
            for (byte[] piece : Fuzz.split(random, cut)) {
                assertThat(decoder.feed(piece)).isEmpty();
            }
            assertThatThrownBy(decoder::finish).isInstanceOf(FramingException.class).hasMessageContaining("stream ended inside");
        });
    }

    private static final HexFormat HEX = HexFormat.of();

    /** What a decoder reported for a stream: every message and control frame in order, and how it failed. */
    private record Outcome(List<String> events, String failure, int mostHeld) {}

    private static Outcome decode(Frames frames, List<byte[]> pieces) {
        List<String> events = new ArrayList<>();
        Framing.Control control = new Framing.Control() {
            @Override
            public void pinged(byte[] payload) {
                events.add("ping " + HEX.formatHex(payload));
            }

            @Override
            public void ponged(byte[] payload) {
                events.add("pong " + HEX.formatHex(payload));
            }

            @Override
            public void closing(int code, String reason) {
                events.add("close " + code + " " + reason);
            }
        };
        Fuzz.Stream decoder = new Fuzz.Stream(frames.decoder(control), m -> events.add("data " + HEX.formatHex(m.bytes())));
        String failure = null;
        try {
            for (byte[] piece : pieces) {
                decoder.feed(piece);
            }
            Message last = decoder.finish();
            if (last != null) {
                events.add("data " + HEX.formatHex(last.bytes()));
            }
        } catch (FramingException e) {
            // A wrong greeting is quoted as far as it had arrived, so only its kind must match.
            String message = e.getMessage().startsWith("not a frames greeting") ? "not a frames greeting" : e.getMessage();
            failure = e.getClass().getSimpleName() + ": " + message;
            // Once out of step the decoder stays so: every later call says why, and gives nothing.
            try {
                decoder.feed(new byte[] {Frames.DATA, 0, 0, 0, 0});
                fail("the decoder went on after failing with " + e);
            } catch (FramingException again) {
                assertThat(again.getMessage()).isEqualTo(e.getMessage());
            }
        } catch (RuntimeException e) {
            fail("only a FramingException may escape the decoder, not " + e, e);
        }
        return new Outcome(events, failure, decoder.mostHeld());
    }

    /**
     * A stream a hostile or broken peer might send: a greeting (usually right), then frames that
     * are valid, of unknown type, over the limit, malformed CLOSEs, or plain garbage.
     */
    private static byte[] hostileStream(SplittableRandom random, int limit) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        switch (random.nextInt(10)) {
            case 0 -> wire.writeBytes(Fuzz.bytes(random, random.nextInt(8), GREETING)); // a wrong or partial greeting
            case 1 -> {
                byte[] greeting = GREETING.clone();
                greeting[random.nextInt(greeting.length)] = (byte) random.nextInt(256);
                wire.writeBytes(greeting);
            }
            default -> wire.writeBytes(GREETING);
        }
        for (int i = random.nextInt(20); i > 0; i--) {
            int kind = random.nextInt(10);
            byte type = switch (kind) {
                case 0 -> (byte) random.nextInt(256);
                case 1 -> Frames.PING;
                case 2 -> Frames.PONG;
                case 3 -> Frames.CLOSE;
                default -> Frames.DATA;
            };
            long length = switch (random.nextInt(8)) {
                case 0 -> random.nextLong(0x1_0000_0000L); // anything, mostly far over the limit
                case 1 -> limit + 1L;
                case 2 -> random.nextInt(3);
                case 3 -> Frames.MAX_CONTROL_PAYLOAD + random.nextInt(3);
                default -> random.nextInt(Math.min(limit, 2000) + 1);
            };
            wire.write(type);
            wire.writeBytes(ByteBuffer.allocate(4).putInt((int) length).array());
            int payload = (int) Math.min(length, 4000);
            if (random.nextInt(5) == 0) {
                payload = random.nextInt(payload + 1); // the stream ends, or the next frame starts, too early
            }
            wire.writeBytes(Fuzz.bytes(random, payload, new byte[] {0x03, (byte) 0xE8, 'a', (byte) 0xFF}));
            if (random.nextInt(15) == 0) {
                wire.writeBytes(Fuzz.bytes(random, random.nextInt(10), new byte[0])); // plain garbage
            }
        }
        return wire.toByteArray();
    }

    private static int limit(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> 1 + random.nextInt(8);
            case 1 -> Frames.DEFAULT_MAX_LENGTH;
            default -> 1 + random.nextInt(3000);
        };
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

}
