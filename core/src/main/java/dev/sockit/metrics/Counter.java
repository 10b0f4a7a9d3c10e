package dev.sockit.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A count that only goes up, kept in a {@link LongAdder}: threads that add at once do not
 * contend, and adding allocates nothing, so it may sit on a hot path.
 *
 * <pre>{@code
 * Counter sent = metrics.counter("sockit_cluster_messages_sent_total", "Messages sent to other nodes.");
 * sent.increment();
 * }</pre>
 */
public final class Counter {

    private final LongAdder count = new LongAdder();

    Counter() {}

    /** Adds one. */
    public void increment() {
        count.increment();
    }

    /**
     * Adds {@code amount}; from any thread, without blocking.
     *
     * @param amount how much to add, 0 or more
     * @throws IllegalArgumentException when {@code amount} is negative: a counter never goes down
     */
    public void add(long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("a counter only goes up; cannot add " + amount);
        }
        count.add(amount);
    }

    /** {@return the count now} */
    public long value() {
        return count.sum();
    }
}
