package dev.sockit.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations counted in fixed buckets, as Prometheus histograms are: recording one is a short
 * scan of the bounds and two {@link LongAdder} additions, with no allocation.
 *
 * <pre>{@code
 * Histogram handling = metrics.histogram("sockit_handler_seconds", "Handler time per message.",
 *         Histogram.LATENCY_BOUNDS);
 * handling.record(System.nanoTime() - started);
 * }</pre>
 */
public final class Histogram {

    /**
     * Bounds from 10 µs to 1 s, a bucket for each factor of about 2.5: fine enough for a handler that
     * answers from memory and for one that waits on a database.
     */
    public static final Duration[] LATENCY_BOUNDS = {
        Duration.ofNanos(10_000), Duration.ofNanos(25_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    };

    private final long[] boundsNanos;
    // One more than the bounds: the last counts what exceeds them all (Prometheus' le="+Inf").
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();

    Histogram(Duration[] bounds) {
        if (bounds.length == 0) {
            throw new IllegalArgumentException("a histogram needs at least one bucket bound");
        }
        boundsNanos = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            boundsNanos[i] = bounds[i].toNanos();
            if (i > 0 && boundsNanos[i] <= boundsNanos[i - 1]) {
                throw new IllegalArgumentException("histogram bounds must increase, and " + bounds[i] + " follows "
                        + bounds[i - 1] + ": " + Arrays.toString(bounds));
            }
        }
        buckets = new LongAdder[bounds.length + 1];
        Arrays.setAll(buckets, i -> new LongAdder());
    }

    /**
     * Counts one duration; from any thread, without blocking.
     *
     * @param nanos the duration in nanoseconds, as two {@link System#nanoTime()} readings apart
     */
    public void record(long nanos) {
        int i = 0;
        while (i < boundsNanos.length && nanos > boundsNanos[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(nanos);
    }

    /** {@return the buckets' upper bounds, in seconds}, without the last one (infinity). */
    public double[] boundsSeconds() {
        return Arrays.stream(boundsNanos).mapToDouble(n -> n / 1e9).toArray();
    }

    /** {@return the counts now, one per bucket and one for beyond the last bound}; not cumulative. */
    public long[] counts() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    /** {@return the sum of every duration recorded, in seconds} */
    public double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }
}
