package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Message;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Which received messages the server prints, and how much of each: the walk-through prints
 * every message, but a server under load would then spend its time writing payloads to a
 * terminal (a bulk transfer's 64 KiB chunks, printed whole, cut a discard server from 16.5
 * to 1.9 Gbit/s). So by default each message is previewed — its first {@value #PREVIEW_CHARS}
 * characters, then how long it was — at most {@value #PER_SECOND} a second (a burst of as
 * many), and the rest are counted and the count printed; raw bytes and discard servers print
 * none. {@code --show-messages} prints every message whole; {@code --no-show-messages} none.
 *
 * <p>Called from every connection's thread at once, so the rate is kept without a lock: one
 * compare-and-set on the time the next message may be shown (the generic cell rate
 * algorithm), and a message that may not be shown costs one read and one add.
 */
final class MessagePreview {

    /** Characters of a message shown in a preview. */
    static final int PREVIEW_CHARS = 72;
    /** Previews shown a second at most, and in a burst. */
    static final int PER_SECOND = 50;

    private static final long INTERVAL = 1_000_000_000L / PER_SECOND;
    private static final long BURST = INTERVAL * PER_SECOND;

    /** How messages are shown. */
    enum Show { none, preview, all }

    private final Show show;
    private final LongSupplier nanoTime;
    // The theoretical arrival time of the next message at exactly the allowed rate.
    private final AtomicLong next;
    private final LongAdder hidden = new LongAdder();

    MessagePreview(Show show, LongSupplier nanoTime) {
        this.show = show;
        this.nanoTime = nanoTime;
        this.next = new AtomicLong(nanoTime.getAsLong() - BURST + INTERVAL);
    }

    /**
     * The default for a server: none when its messages are raw bytes or it discards them,
     * previews otherwise; {@code wanted} is {@code --show-messages} (true), its negation
     * (false) or neither (null).
     */
    static Show forServer(Boolean wanted, boolean raw, boolean discard) {
        if (wanted != null) {
            return wanted ? Show.all : Show.none;
        }
        return raw || discard ? Show.none : Show.preview;
    }

    /** {@return false when no message is ever printed} */
    boolean shows() {
        return show != Show.none;
    }

    /** What to print for {@code message}, or null to print nothing; counts what it hides. */
    String line(Message message) {
        return switch (show) {
            case none -> null;
            case all -> ServerLog.printable(message.text());
            case preview -> {
                if (!admit()) {
                    hidden.increment();
                    yield null;
                }
                yield preview(message);
            }
        };
    }

    /** How many previews were held back since the last call, then starts counting again. */
    long takeHidden() {
        return hidden.sumThenReset();
    }

    /** The line that says {@code count} messages were not shown, and how to see them. */
    static String hiddenNotice(long count) {
        return "(" + count + " message" + (count == 1 ? "" : "s") + " not shown: more than " + PER_SECOND
                + " a second; --show-messages prints every one)";
    }

    private boolean admit() {
        long now = nanoTime.getAsLong();
        for (;;) {
            long due = next.get();
            long start = Math.max(due, now - BURST + INTERVAL);
            if (start - now > 0) {
                return false;
            }
            if (next.compareAndSet(due, start + INTERVAL)) {
                return true;
            }
        }
    }

    /** The first {@value #PREVIEW_CHARS} characters, control characters escaped, and the length if cut. */
    static String preview(Message message) {
        int length = message.length();
        // Decode no more than the preview can use: 4 bytes a character at most.
        String text = length <= 4 * PREVIEW_CHARS ? message.text()
                : new String(message.bytes(), 0, 4 * PREVIEW_CHARS, UTF_8);
        if (text.length() <= PREVIEW_CHARS && length <= 4 * PREVIEW_CHARS) {
            return ServerLog.printable(text);
        }
        int cut = Character.isHighSurrogate(text.charAt(PREVIEW_CHARS - 1)) ? PREVIEW_CHARS - 1 : PREVIEW_CHARS;
        if (text.length() <= cut) {
            cut = text.length();
        }
        return ServerLog.printable(text.substring(0, cut)) + "… (" + length + " bytes)";
    }
}
