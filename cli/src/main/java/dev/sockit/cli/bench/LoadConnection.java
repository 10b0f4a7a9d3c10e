package dev.sockit.cli.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One stream connection of the load, TCP or Unix socket: issues requests up to its depth, writes them without blocking,
 * verifies replies as they stream in and times each one. Owned by one {@link EventLoop};
 * nothing here is thread-safe and nothing allocates per message.
 *
 * <p>Requests are numbered from 0; request {@code i} is line {@code i} of the loop's request
 * pattern, and its reply must be line {@code i} of the expected pattern. A request is
 * <em>issued</em> when its clock starts, <em>appended</em> once its bytes are in the send
 * buffer, and <em>answered</em> when its reply's newline arrives.
 */
final class LoadConnection extends Connection {

    /** Send buffers hold at most this much; more is appended as the socket drains. */
    static final int MAX_SEND_BUFFER = 64 * 1024;

    private final SocketChannel channel;
    private final ByteBuffer out;
    private final LinePattern requests;
    private final ReplyChecker checker;
    private final int depth;
    // Closed loop: when each request in flight was issued, oldest at head (replies come in order).
    private final long[] issuedAt;
    private int head;
    private int tail;

    private int inFlight;
    private long issued;
    private long appended;
    private int appendOffset;
    private long answered;
    private long badSeen;
    // WebSocket only: the frames' headers come off the replies before they are checked.
    private final FrameStripper frames;

    LoadConnection(int id, int position, EventLoop loop, SocketChannel channel, ByteBuffer out, LinePattern requests,
            LinePattern expected, int depth, boolean openLoop, boolean websocket) {
        super(id, position, loop, channel);
        this.frames = websocket ? new FrameStripper() : null;
        this.channel = channel;
        this.out = out;
        this.requests = requests;
        this.checker = new ReplyChecker(expected);
        this.depth = depth;
        this.issuedAt = openLoop ? null : new long[depth];
    }

    /** How large the send buffer of one connection is: a full depth of requests, up to the cap. */
    static int sendBufferSize(int depth, int lineLength) {
        return (int) Math.min((long) depth * lineLength, MAX_SEND_BUFFER);
    }

    @Override
    void onReadable(long now) {
        ByteBuffer in = loop.readBuffer;
        for (;;) {
            in.clear();
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) {
                lose("broken: " + EventLoop.describe(e));
                return;
            }
            if (n < 0) {
                lose("closed by the server");
                return;
            }
            if (n == 0) {
                break;
            }
            loop.countIn(n, now);
            in.flip();
            ByteBuffer replies = in;
            if (frames != null) {
                replies = loop.frameBuffer();
                if (!frames.strip(in, replies)) {
                    lose(frames.failure());
                    return;
                }
            }
            int completed = checker.consume(replies);
            if (checker.badReplies() != badSeen) {
                loop.badReplies(this, checker.badReplies() - badSeen, checker.firstFailure());
                badSeen = checker.badReplies();
            }
            if (completed > 0) {
                answer(completed, now);
            }
            // A short read emptied the socket; a full one may have left more behind.
            if (n < in.capacity()) {
                break;
            }
        }
        issue(now);
    }

    @Override
    void onWritable(long now) {
        flush(now);
    }

    private void answer(int completed, long now) {
        int matched = Math.min(completed, inFlight);
        if (completed > matched) {
            loop.unexpectedReplies(this, completed - matched);
        }
        for (int i = 0; i < matched; i++) {
            long started;
            if (issuedAt == null) {
                started = loop.intendedAt(answered, position);
            } else {
                started = issuedAt[head];
                head = head + 1 == depth ? 0 : head + 1;
            }
            answered++;
            loop.replied(now - started, now);
        }
        inFlight -= matched;
    }

    @Override
    void issue(long now) {
        if (!isOpen()) {
            return;
        }
        int room = depth - inFlight;
        if (issuedAt == null) {
            room = (int) Math.min(room, owed);
            owed -= room;
        } else {
            for (int i = 0; i < room; i++) {
                issuedAt[tail] = now;
                tail = tail + 1 == depth ? 0 : tail + 1;
            }
        }
        if (room <= 0) {
            return;
        }
        inFlight += room;
        issued += room;
        flush(now);
    }

    // Appends issued requests to the send buffer and writes until the socket takes no more;
    // then waits for OP_WRITE. One write per batch of replies, as a pipelining client does.
    private void flush(long now) {
        for (;;) {
            append();
            if (out.position() == 0) {
                wantWrite(false);
                return;
            }
            out.flip();
            int written;
            try {
                written = channel.write(out);
            } catch (IOException e) {
                out.clear();
                lose("broken while sending: " + EventLoop.describe(e));
                return;
            }
            out.compact();
            loop.countOut(written, now);
            if (written == 0) {
                wantWrite(true);
                return;
            }
        }
    }

    private void append() {
        int length = requests.length();
        while (appended < issued && out.hasRemaining()) {
            int n = Math.min(out.remaining(), length - appendOffset);
            requests.copyTo(appended, appendOffset, n, out);
            appendOffset += n;
            if (appendOffset == length) {
                appendOffset = 0;
                appended++;
            }
        }
    }

    @Override
    String progress() {
        return answered + " replies";
    }
}
