package dev.sockit.cli.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;

/**
 * Verifies one connection's replies as bytes arrive, however the stream splits them: reply
 * {@code i} must equal line {@code i} of the expected {@link LinePattern}. Nothing is copied
 * or buffered; a whole read is compared with {@link ByteBuffer#mismatch}, which the JDK
 * vectorises. A reply that differs is counted as bad and skipped up to its newline, so the
 * count of later replies stays right.
 *
 * <p>Replies must end in {@code \n} alone, as the {@code lines} framing sends them; a server
 * answering {@code \r\n} fails verification. One checker per connection, on one thread.
 */
final class ReplyChecker {

    private static final int QUOTE_MAX = 40;

    private final LinePattern expected;
    private long replies;
    private long badReplies;
    // Bytes of the current reply already matched, newline excluded.
    private int matched;
    private boolean skipping;
    private String firstFailure;

    ReplyChecker(LinePattern expected) {
        this.expected = expected;
    }

    /**
     * Consumes every remaining byte of {@code in} and returns how many replies it completed,
     * good or bad. {@code in}'s position ends at its limit.
     */
    int consume(ByteBuffer in) {
        int completed = 0;
        int pos = in.position();
        int limit = in.limit();
        int size = expected.size();
        ByteBuffer base = expected.base();
        while (pos < limit) {
            if (skipping) {
                int newline = indexOfNewline(in, pos, limit);
                if (newline < 0) {
                    pos = limit;
                    break;
                }
                pos = newline + 1;
                skipping = false;
                replies++;
                completed++;
                continue;
            }
            if (matched < size) {
                int n = Math.min(limit - pos, size - matched);
                int from = expected.start(replies) + matched;
                in.limit(pos + n).position(pos);
                base.limit(from + n).position(from);
                int differs = in.mismatch(base);
                in.limit(limit);
                base.clear();
                if (differs >= 0) {
                    fail(in, pos, differs);
                    pos += differs;
                    continue;
                }
                pos += n;
                matched += n;
                continue;
            }
            if (in.get(pos) != '\n') {
                fail(in, pos, 0);
                continue;
            }
            pos++;
            matched = 0;
            replies++;
            completed++;
        }
        in.limit(limit).position(limit);
        return completed;
    }

    // The reply differs at in[pos + differs]: count it bad and skip from there to its newline
    // (which may be that very byte, when the reply is shorter than expected).
    private void fail(ByteBuffer in, int pos, int differs) {
        badReplies++;
        if (firstFailure == null) {
            firstFailure = describe(in, pos, differs);
        }
        matched = 0;
        skipping = true;
    }

    private String describe(ByteBuffer in, int pos, int differs) {
        // The reply began matched bytes before pos, perhaps in an earlier read; quote what this read still holds.
        int start = Math.max(0, pos - matched);
        int end = start;
        int limit = in.limit();
        while (end < limit && in.get(end) != '\n' && end - start < QUOTE_MAX) {
            end++;
        }
        byte[] got = new byte[end - start];
        in.get(start, got);
        String cut = end < limit && in.get(end) != '\n' ? "…" : "";
        return "reply " + (replies + 1) + " differs at byte " + (matched + differs) + ": expected \""
                + expected.text(replies, QUOTE_MAX) + "\" but got \"" + (pos - matched < 0 ? "…" : "")
                + new String(got, UTF_8) + cut + "\"";
    }

    private static int indexOfNewline(ByteBuffer in, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (in.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Replies completed so far, good or bad. */
    long replies() {
        return replies;
    }

    /** Replies that did not match. */
    long badReplies() {
        return badReplies;
    }

    /** What the first bad reply looked like, or null. */
    String firstFailure() {
        return firstFailure;
    }
}
