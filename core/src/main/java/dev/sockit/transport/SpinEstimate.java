package dev.sockit.transport;

/**
 * How long one connection's reader spins for input before it parks, from the waits it has seen:
 * about twice the usual wait that the spin caught, at most the full spin; after spins keep
 * missing (the input came only after a park), none for a while, then one more try. Owned by the
 * reader; no locks.
 */
final class SpinEstimate {

    // Missed spins in a row after which the reader stops spinning for a while.
    private static final int MISSES_BEFORE_REST = 2;
    // The longest rest, in reads: the rest doubles with each further miss up to this.
    private static final int LONGEST_REST = 64;

    private final long fullNanos;
    private final long leastNanos;
    private long average; // moving average of the waits the spin caught, 0 before the first
    private int misses;
    private int rest; // reads left that do not spin

    /**
     * @param fullNanos  the longest spin
     * @param leastNanos the shortest spin, when it spins at all
     */
    SpinEstimate(long fullNanos, long leastNanos) {
        this.fullNanos = fullNanos;
        this.leastNanos = leastNanos;
    }

    /** How long the next wait spins before it parks: 0 while resting. */
    long budget() {
        if (rest > 0) {
            rest--;
            return 0;
        }
        if (average == 0) {
            return fullNanos;
        }
        return Math.clamp(2 * average, leastNanos, fullNanos);
    }

    /** The spin saw input after {@code waitedNanos}. */
    void caught(long waitedNanos) {
        average = average == 0 ? waitedNanos : average + (waitedNanos - average) / 8;
        misses = 0;
    }

    /** The spin ended without input: the reader parked. */
    void missed() {
        misses++;
        if (misses >= MISSES_BEFORE_REST) {
            rest = Math.min(1 << Math.min(misses - MISSES_BEFORE_REST + 1, 6), LONGEST_REST);
        }
    }
}
