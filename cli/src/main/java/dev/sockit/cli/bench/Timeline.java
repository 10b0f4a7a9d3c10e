package dev.sockit.cli.bench;

import java.util.concurrent.TimeUnit;

/**
 * When a run starts, when measuring starts (after the warmup) and when it ends, as
 * {@link System#nanoTime()} values shared by every thread of the run; and its slots, the
 * equal spans a report cuts it into to show where in the run the longest replies came.
 */
record Timeline(long startAt, long measureAt, long endAt) {

    /** A slot is this long, or longer when the run would have more than {@link #MAX_SLOTS}. */
    static final long SLOT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** The most slots a run is cut into: a minute of 100 ms slots; a longer run has longer ones. */
    static final int MAX_SLOTS = 600;

    static Timeline from(long startAt, BenchSettings settings) {
        long measureAt = startAt + settings.warmup().toNanos();
        return new Timeline(startAt, measureAt, measureAt + settings.duration().toNanos());
    }

    /** How long one slot is: 100 ms, or a whole number of 100 ms so that the run has at most {@link #MAX_SLOTS}. */
    long slotNanos() {
        long hundreds = Math.ceilDiv(endAt - startAt, SLOT_NANOS);
        return SLOT_NANOS * Math.max(1, Math.ceilDiv(hundreds, MAX_SLOTS));
    }

    /** How many slots the run has, from its start (warmup included) to its end. */
    int slots() {
        return (int) Math.max(1, Math.ceilDiv(endAt - startAt, slotNanos()));
    }

    /** The slot {@code now} falls in; before the start the first, after the end the last. */
    int slotOf(long now) {
        long slot = (now - startAt) / slotNanos();
        return (int) Math.clamp(slot, 0, slots() - 1);
    }
}
