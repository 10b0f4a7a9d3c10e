package dev.sockit.fuzz;

import dev.sockit.Message;
import dev.sockit.framing.Framing;
import dev.sockit.framing.FramingException;
import java.nio.ByteBuffer;

/**
 * A framing's decoder fed as a connection feeds it: the input's first two bytes choose the
 * configured limit (1 to 4096 bytes, so that the limit's edges are reached), the rest arrives
 * in pieces of varying size into a read buffer that grows, doubling, only when it is full and
 * the decoder has no whole message in it — as {@code Intake} grows a connection's. Checked:
 * no message is over the limit; the buffer never needs more than twice the limit and the
 * framing's overhead (a decoder refuses an over-long message before holding it); what is
 * delivered never exceeds what came in; control frames are small; and allocation stays within
 * a few times the input plus the buffer.
 */
abstract class FramingFuzzTarget extends FuzzTarget {

    private static final int INITIAL_BUFFER = 16;

    /** The framing under test with this limit. */
    protected abstract Framing framing(int limit);

    /** Bytes a decoder may need buffered beyond the limit: a header, a line's terminator. */
    protected abstract int overhead();

    @Override
    protected void parse(byte[] input) throws FramingException {
        int limit = limit(input);
        Framing framing = framing(limit);
        Framing.Decoder decoder = framing.decoder(new Framing.Control() {
            @Override
            public void pinged(byte[] payload) {
                check(payload.length <= 125, "a ping of " + payload.length + " bytes was delivered");
            }

            @Override
            public void ponged(byte[] payload) {
                check(payload.length <= 125, "a pong of " + payload.length + " bytes was delivered");
            }
        });
        ByteBuffer buffer = ByteBuffer.allocate(INITIAL_BUFFER);
        long delivered = 0;
        int piece = 1;
        for (int at = Math.min(2, input.length); at < input.length; ) {
            // Pieces of 1 to 97 bytes, in a pattern the input's own bytes steer.
            piece = 1 + (piece * 31 + (input[at] & 0xff)) % 97;
            int n = Math.min(piece, input.length - at);
            for (int i = 0; i < n; ) {
                if (!buffer.hasRemaining()) {
                    buffer = grow(buffer, limit);
                }
                int room = Math.min(buffer.remaining(), n - i);
                buffer.put(input, at + i, room);
                i += room;
                buffer.flip();
                for (Message m; (m = decoder.decode(buffer)) != null; ) {
                    delivered += checked(m, limit);
                }
                buffer.compact();
            }
            at += n;
        }
        Message last = decoder.finish(buffer.flip());
        if (last != null) {
            delivered += checked(last, limit);
        }
        check(delivered <= input.length, "delivered " + delivered + " bytes of messages from " + input.length + " in");
    }

    @Override
    protected boolean isRefusal(Exception e) {
        return e instanceof FramingException;
    }

    @Override
    protected long allocationBound(byte[] input) {
        // The harness's buffers (doubling: twice the largest) and the messages' copies.
        return super.allocationBound(input) + 4L * (limit(input) + overhead());
    }

    private static int limit(byte[] input) {
        return input.length < 2 ? 64 : 1 + ((input[0] & 0xff) << 8 | input[1] & 0xff) % 4096;
    }

    private ByteBuffer grow(ByteBuffer full, int limit) {
        int capacity = full.capacity() * 2;
        check(capacity <= 2 * (limit + overhead()) + INITIAL_BUFFER, "the decoder held " + full.capacity()
                + " bytes without a whole message or a refusal, over its limit of " + limit);
        return ByteBuffer.allocate(capacity).put(full.flip());
    }

    private static long checked(Message m, int limit) {
        check(m.length() <= limit, "a message of " + m.length() + " bytes passed the limit of " + limit);
        return m.length();
    }

    private static void check(boolean holds, String finding) {
        if (!holds) {
            throw new AssertionError(finding);
        }
    }
}
