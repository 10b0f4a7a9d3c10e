package dev.sockit.framing;

import dev.sockit.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the decoder property tests share: seeded runs that name their seed when they fail, and
 * a {@link Stream} that hands a decoder bytes in random pieces exactly as a connection's read
 * buffer does.
 *
 * <p>Each run takes its own seed: the base seed plus its index. A failure says which, and
 * {@code -Dsockit.fuzz.seed=SEED -Dsockit.fuzz.iterations=1} replays that run alone. The base
 * seed is new on each build unless {@code sockit.fuzz.seed} fixes it; the number of runs per
 * property is small by default, so the suite stays fast, and {@code sockit.fuzz.iterations}
 * raises it for a longer hunt:
 *
 * <pre>mvn -pl core test -Dtest='*FuzzTest' -Dsockit.fuzz.iterations=100000</pre>
 */
final class Fuzz {

    /** Runs per property unless {@code -Dsockit.fuzz.iterations} says otherwise. */
    static final int DEFAULT_ITERATIONS = 300;

    private Fuzz() {}

    /** One seeded run of a property. */
    interface Property {
        void check(SplittableRandom random) throws Exception;
    }

    /** Runs {@code property} once per iteration, each with its own seed, naming the seed of a failure. */
    static void forAll(String name, Property property) {
        long base = Long.getLong("sockit.fuzz.seed", System.nanoTime() ^ System.identityHashCode(property));
        int iterations = Integer.getInteger("sockit.fuzz.iterations", DEFAULT_ITERATIONS);
        for (int i = 0; i < iterations; i++) {
            long seed = base + i;
            try {
                property.check(new SplittableRandom(seed));
            } catch (Throwable t) {
                AssertionError failure = new AssertionError(name + " failed with seed " + seed
                        + " (run " + (i + 1) + " of " + iterations + "); replay it with -Dsockit.fuzz.seed=" + seed
                        + " -Dsockit.fuzz.iterations=1: " + t, t);
                throw failure;
            }
        }
    }

    /** {@code length} random bytes, drawn mostly from {@code alphabet} when it is not empty. */
    static byte[] bytes(SplittableRandom random, int length, byte[] alphabet) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = alphabet.length > 0 && random.nextInt(4) != 0
                    ? alphabet[random.nextInt(alphabet.length)]
                    : (byte) random.nextInt(256);
        }
        return bytes;
    }

    /**
     * Cuts {@code bytes} at random points: sometimes one byte at a time, sometimes in large
     * pieces, most often anything between.
     */
    static List<byte[]> split(SplittableRandom random, byte[] bytes) {
        int style = random.nextInt(4);
        List<byte[]> pieces = new ArrayList<>();
        for (int at = 0; at < bytes.length; ) {
            int n = switch (style) {
                case 0 -> 1;
                case 1 -> 1 + random.nextInt(Math.max(1, bytes.length));
                default -> 1 + random.nextInt(1 + random.nextInt(64));
            };
            n = Math.min(n, bytes.length - at);
            byte[] piece = new byte[n];
            System.arraycopy(bytes, at, piece, 0, n);
            pieces.add(piece);
            at += n;
        }
        return pieces;
    }

    /**
     * A read buffer kept the way a connection keeps one: read into after the bytes still to
     * decode, those moved to the front when little room is left after them, doubled only when
     * one partial message fills it, decoded after every read. Decoders must not care where in
     * the buffer a message starts, so this need not move bytes exactly when a connection does.
     * It records the most bytes ever held undecoded, so tests can bound what a peer makes us buffer.
     */
    static final class Stream {
        private final Framing.Decoder decoder;
        private final java.util.function.Consumer<Message> decoded;
        private ByteBuffer in = ByteBuffer.allocate(16).flip();
        private int mostHeld;
        private int largestCapacity;

        Stream(Framing.Decoder decoder) {
            this(decoder, message -> {});
        }

        /** A stream that also hands each message to {@code decoded} the moment it is decoded. */
        Stream(Framing.Decoder decoder, java.util.function.Consumer<Message> decoded) {
            this.decoder = decoder;
            this.decoded = decoded;
            largestCapacity = in.capacity();
        }

        /** Takes {@code piece} as reads would (several, when it does not fit), decoding after each. */
        List<Message> feed(byte[] piece) throws FramingException {
            List<Message> messages = new ArrayList<>();
            for (int at = 0; at < piece.length; ) {
                // Room after what is kept; move it, or grow, only when there is little.
                int start;
                int room = in.capacity() - in.limit();
                if (!in.hasRemaining()) {
                    in.clear();
                    start = 0;
                } else if (room > 0 && (in.position() == 0 || room >= in.capacity() / 8)) {
                    start = in.position();
                    in.position(in.limit()).limit(in.capacity());
                } else if (in.position() > 0) {
                    in.compact();
                    start = 0;
                } else {
                    in = ByteBuffer.allocate(in.capacity() * 2).put(in);
                    largestCapacity = Math.max(largestCapacity, in.capacity());
                    start = 0;
                }
                int n = Math.min(in.remaining(), piece.length - at);
                in.put(piece, at, n);
                in.limit(in.position()).position(start);
                at += n;
                for (Message m; (m = decoder.decode(in)) != null; ) {
                    decoded.accept(m);
                    messages.add(m);
                }
                mostHeld = Math.max(mostHeld, in.remaining());
            }
            return messages;
        }

        /** End of stream: the decoder's last message, or null. */
        Message finish() throws FramingException {
            return decoder.finish(in);
        }

        /** The most bytes ever left undecoded between reads. */
        int mostHeld() {
            return mostHeld;
        }

        /** The largest the read buffer grew. */
        int largestCapacity() {
            return largestCapacity;
        }
    }
}
