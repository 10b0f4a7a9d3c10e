package dev.sockit.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * How one side's traffic is disturbed, the way networks and slow peers disturb it: writes
 * split into small pieces, each delivered after a delay; reads that take a few bytes at a
 * time, each after a pause (a slow reader, whose peer's writes then wait for room).
 *
 * <pre>{@code
 * ConnectionPair.builder(Lines.defaults()).clientFaults(Faults.none().splitWrites(1)).build()   // byte by byte
 * }</pre>
 *
 * @param split      the most bytes one write delivers at once
 * @param delay      the pause before each piece is delivered
 * @param readAtMost the most bytes one read takes
 * @param readPause  the pause before each read
 */
public record Faults(int split, Duration delay, int readAtMost, Duration readPause) {

    private static final Faults NONE = new Faults(Integer.MAX_VALUE, Duration.ZERO, Integer.MAX_VALUE, Duration.ZERO);

    /**
     * Checks the faults.
     *
     * @throws IllegalArgumentException for a size below 1 byte or a negative pause
     * @throws NullPointerException     for a null pause
     */
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

    /** {@return no faults}: bytes as written, at once; the default. */
    public static Faults none() {
        return NONE;
    }

    /**
     * {@return these faults, each write delivered in pieces}, as TCP may cut it.
     *
     * @param bytes the most bytes in one piece, at least 1 (1: byte by byte)
     * @throws IllegalArgumentException when {@code bytes} is below 1
     */
    public Faults splitWrites(int bytes) {
        return new Faults(bytes, delay, readAtMost, readPause);
    }

    /**
     * {@return these faults, each piece delivered after {@code delay}}
     *
     * @param delay zero or more
     * @throws IllegalArgumentException when {@code delay} is negative
     */
    public Faults delay(Duration delay) {
        return new Faults(split, delay, readAtMost, readPause);
    }

    /**
     * This side reads slowly: at most {@code bytes} per read, each read after {@code pause}.
     * Once the buffer between the two is full, the other side's sends wait.
     *
     * @param bytes the most bytes one read takes, at least 1
     * @param pause the pause before each read, zero or more
     * @return these faults, reading slowly
     * @throws IllegalArgumentException for fewer than 1 byte or a negative pause
     */
    public Faults slowReader(int bytes, Duration pause) {
        return new Faults(split, delay, bytes, pause);
    }
}
