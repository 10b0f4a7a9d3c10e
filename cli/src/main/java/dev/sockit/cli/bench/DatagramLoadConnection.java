package dev.sockit.cli.bench;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * One UDP "connection" of the load: a connected, non-blocking {@link DatagramChannel} that
 * sends each request as one datagram of {@code size} bytes (no newline) and takes each reply
 * as one datagram. Owned by one {@link EventLoop}; nothing allocates per message.
 *
 * <p>Requests are numbered from 0 in the order sent; at most {@code depth} of them, from the
 * oldest unsettled one ({@code base}) to the next to send ({@code next}), are outstanding. A
 * request is settled when its reply comes or, when none came within the loss timeout, when
 * it is declared lost; its slot is then free for a new request, so a closed loop never
 * stalls on a lost datagram.
 *
 * <p>Matching replies to requests:
 * <ul>
 *   <li>echo: the first {@value BenchSettings#SEQUENCE_BYTES} bytes of every request carry
 *       its number (big-endian), the rest is the request pattern. The echoed number says
 *       which request a reply answers, even out of order; a reply to a request already
 *       declared lost counts as late, not as an answer.</li>
 *   <li>ack: replies carry no number, so each answers the oldest outstanding request, and a
 *       reply arriving with nothing outstanding counts as late. An approximation: a late
 *       reply that arrives while newer requests wait is taken for the oldest of them (whose
 *       own reply then counts as late), which shortens that one latency; sent, received,
 *       lost and late stay right in total.</li>
 * </ul>
 */
final class DatagramLoadConnection extends Connection {

    private static final int QUOTE_MAX = 40;

    private final DatagramChannel channel;
    // Shared by the loop's connections: a datagram is sent whole at once, so it never outlives a send.
    private final ByteBuffer out;
    private final LinePattern requests;
    private final LinePattern expected;
    private final boolean echo;
    private final boolean openLoop;
    private final int size;
    private final int depth;
    private final long lossTimeout;
    // By request number modulo depth: when it was sent, and whether its reply came.
    private final long[] sentAt;
    private final boolean[] answered;
    private long base;
    private long next;

    DatagramLoadConnection(int id, int position, EventLoop loop, DatagramChannel channel, ByteBuffer out,
            LinePattern requests, LinePattern expected, boolean echo, int depth, boolean openLoop, long lossTimeout) {
        super(id, position, loop, channel);
        this.channel = channel;
        this.out = out;
        this.requests = requests;
        this.expected = expected;
        this.echo = echo;
        this.openLoop = openLoop;
        this.size = requests.size();
        this.depth = depth;
        this.lossTimeout = lossTimeout;
        this.sentAt = new long[depth];
        this.answered = new boolean[depth];
    }

    @Override
    void onReadable(long now) {
        ByteBuffer in = loop.readBuffer;
        for (;;) {
            in.clear();
            try {
                // receive, not read: read returns 0 for an empty datagram and for none alike.
                if (channel.receive(in) == null) {
                    break;
                }
            } catch (PortUnreachableException e) {
                lose(unreachable());
                return;
            } catch (IOException e) {
                lose("broken: " + EventLoop.describe(e));
                return;
            }
            in.flip();
            loop.countIn(in.remaining(), now);
            if (echo) {
                echoed(in, now);
            } else {
                acked(in, now);
            }
        }
        issue(now);
    }

    private void echoed(ByteBuffer in, long now) {
        int length = in.remaining();
        if (length < BenchSettings.SEQUENCE_BYTES) {
            loop.unexpectedReplies(this, 1, "received a " + length + "-byte reply, too short to carry the "
                    + BenchSettings.SEQUENCE_BYTES + "-byte request number an echo sends back");
            return;
        }
        long number = in.getLong(0);
        if (number < base) {
            // Declared lost before it came (or, rarely, a duplicate of one answered): late.
            loop.lateReply(now);
            return;
        }
        int slot = (int) (number % depth);
        if (number >= next || answered[slot]) {
            loop.unexpectedReplies(this, 1, "received a reply carrying request number " + number + ", which "
                    + (number >= next ? "was never sent (" + next + " sent)" : "was answered already"));
            return;
        }
        int payload = size - BenchSettings.SEQUENCE_BYTES;
        int from = requests.start(number) + BenchSettings.SEQUENCE_BYTES;
        if (length != size || !same(in, BenchSettings.SEQUENCE_BYTES, requests.base(), from, payload)) {
            loop.badReplies(this, 1, "reply to request " + number + " is not its echo: expected the " + size
                    + "-byte request back but got " + length + " bytes \"" + quote(in) + "\"");
        }
        answered[slot] = true;
        loop.replied(now - startedAt(number, slot), now);
        settle();
    }

    private void acked(ByteBuffer in, long now) {
        if (base == next) {
            loop.lateReply(now);
            return;
        }
        int slot = (int) (base % depth);
        int length = in.remaining();
        ByteBuffer reply = expected.base();
        if (length != expected.size() || !same(in, 0, reply, 0, length)) {
            loop.badReplies(this, 1, "reply to request " + base + " differs: expected \""
                    + expected.text(0, QUOTE_MAX) + "\" but got \"" + quote(in) + "\"");
        }
        answered[slot] = true;
        loop.replied(now - startedAt(base, slot), now);
        settle();
    }

    private long startedAt(long number, int slot) {
        return openLoop ? loop.intendedAt(number, position) : sentAt[slot];
    }

    // Moves base past every request answered, so their slots are free.
    private void settle() {
        while (base < next) {
            int slot = (int) (base % depth);
            if (!answered[slot]) {
                return;
            }
            answered[slot] = false;
            base++;
        }
    }

    /**
     * Declares lost every outstanding request whose loss timeout has passed, oldest first, and
     * fills their slots with new requests; returns when the oldest one left times out, or
     * {@link Long#MAX_VALUE} if none is outstanding.
     */
    long expire(long now) {
        boolean freed = false;
        while (base < next) {
            int slot = (int) (base % depth);
            if (now - sentAt[slot] < lossTimeout) {
                break;
            }
            loop.lostRequest(now);
            base++;
            settle();
            freed = true;
        }
        if (freed) {
            issue(now);
        }
        return base < next ? sentAt[(int) (base % depth)] + lossTimeout : Long.MAX_VALUE;
    }

    @Override
    void onWritable(long now) {
        wantWrite(false);
        issue(now);
    }

    @Override
    void issue(long now) {
        if (!isOpen()) {
            return;
        }
        while (next - base < depth && (!openLoop || owed > 0)) {
            if (!send(now)) {
                return;
            }
            if (openLoop) {
                owed--;
            }
        }
    }

    // Sends request next as one datagram; false if the socket had no room for it (then waits for OP_WRITE).
    private boolean send(long now) {
        long number = next;
        out.clear();
        if (echo) {
            out.putLong(0, number);
            out.put(BenchSettings.SEQUENCE_BYTES, requests.base(), requests.start(number) + BenchSettings.SEQUENCE_BYTES,
                    size - BenchSettings.SEQUENCE_BYTES);
        } else {
            out.put(0, requests.base(), requests.start(number), size);
        }
        out.limit(size);
        int written;
        try {
            written = channel.write(out);
        } catch (PortUnreachableException e) {
            lose(unreachable());
            return false;
        } catch (IOException e) {
            lose("broken while sending: " + EventLoop.describe(e));
            return false;
        }
        if (written == 0) {
            wantWrite(true);
            return false;
        }
        int slot = (int) (number % depth);
        sentAt[slot] = now;
        answered[slot] = false;
        if (base == next) {
            loop.expiresAt(now + lossTimeout);
        }
        next++;
        loop.sentRequest(written, now);
        return true;
    }

    // Compares n bytes of in from inFrom with pattern from from; restores both buffers (in to its start).
    private static boolean same(ByteBuffer in, int inFrom, ByteBuffer pattern, int from, int n) {
        int limit = in.limit();
        in.limit(inFrom + n).position(inFrom);
        pattern.limit(from + n).position(from);
        boolean same = in.mismatch(pattern) < 0;
        in.limit(limit).position(0);
        pattern.clear();
        return same;
    }

    private static String unreachable() {
        return "was told the port is unreachable (nothing listens there)";
    }

    private static String quote(ByteBuffer in) {
        int n = Math.min(in.remaining(), QUOTE_MAX);
        byte[] got = new byte[n];
        in.get(in.position(), got);
        StringBuilder b = new StringBuilder();
        for (byte c : got) {
            b.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
        }
        return b + (in.remaining() > n ? "…" : "");
    }

    @Override
    String progress() {
        return next + " requests";
    }
}
