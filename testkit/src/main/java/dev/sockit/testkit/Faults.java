package dev.sockit.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * How one side's traffic is disturbed, the way networks and slow peers disturb it: writes
 * split into small pieces, each delivered after a delay; reads that take a few bytes at a
 * time, each after a pause (a slow reader, whose peer's writes then wait for room).
 *
 * <pre>{@code
 * ConnectionPair.of(Lines.defaults()).clientFaults(Faults.none().splitWrites(1))   // byte by byte
 * }</pre>
 *
 * @param split      the most bytes one write delivers at once
 * @param delay      the pause before each piece is delivered
 * @param readAtMost the most bytes one read takes
 * @param readPause  the pause before each read
 */
public record Faults(int split, Duration delay, int readAtMost, Duration readPause) {

    private static final Faults NONE = new Faults(Integer.MAX_VALUE, Duration.ZERO, Integer.MAX_VALUE, Duration.ZERO);

    public Faults {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(readPause, "readPause");
        if (split < 1 || readAtMost < 1) {
            throw new IllegalArgumentException("split and readAtMost are at least 1 byte, not " + split + " and " + readAtMost);
        }
        if (delay.isNegative() || readPause.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative");
        }
    }

    /** Bytes as written, at once: the default. */
    public static Faults none() {
        return NONE;
    }

    /** Each write delivered in pieces of at most {@code bytes} (1: byte by byte), as TCP may cut it. */
    public Faults splitWrites(int bytes) {
        return new Faults(bytes, delay, readAtMost, readPause);
    }

    /** Each piece delivered after {@code delay}. */
    public Faults delay(Duration delay) {
        return new Faults(split, delay, readAtMost, readPause);
    }

    /**
     * This side reads slowly: at most {@code bytes} per read, each read after {@code pause}.
     * Once the buffer between the two is full, the other side's sends wait.
     */
    public Faults slowReader(int bytes, Duration pause) {
        return new Faults(split, delay, bytes, pause);
    }
}
