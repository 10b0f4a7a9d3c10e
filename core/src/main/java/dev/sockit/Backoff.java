package dev.sockit;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long to wait before each attempt to connect again: exponential backoff with jitter, so
 * that a client does not hammer a server that is down, and a crowd of clients that lost the
 * same server does not come back all at once.
 *
 * <pre>{@code
 * Backoff backoff = Backoff.exponential();          // 250 ms, ×2, at most 10 s, ±50% jitter
 * while (running) {
 *     try (Connection c = client.open()) {
 *         backoff.reset();
 *         …
 *     } catch (IOException e) {
 *         backoff.pause();
 *     }
 * }
 * }</pre>
 *
 * <p>The n-th delay since the last {@link #reset()} is {@code initial × multiplier^(n-1)},
 * capped at {@code max}, then jittered. Defaults: initial 250 ms, multiplier 2, max 10 s,
 * {@link Jitter#HALF}, {@link RandomGenerator#getDefault()}. Not thread-safe: one per
 * reconnecting loop.
 */
public final class Backoff {

    /** How each delay is spread around its exponential value {@code d}. */
    public enum Jitter {
        /** Exactly {@code d}: predictable, for tests and for one client alone. */
        NONE,
        /** Uniform in {@code [0, d)} ("full jitter"): spreads a crowd the most. */
        FULL,
        /** Uniform in {@code [d/2, 3d/2)}, then capped at the maximum: ±50%, never near zero. */
        HALF
    }

    private Duration initial = Duration.ofMillis(250);
    private Duration max = Duration.ofSeconds(10);
    private double multiplier = 2;
    private Jitter jitter = Jitter.HALF;
    private RandomGenerator random = RandomGenerator.getDefault();
    private int attempts;

    private Backoff() {}

    /** {@return a backoff with the defaults: 250 ms, ×2, at most 10 s, ±50% jitter} */
    public static Backoff exponential() {
        return new Backoff();
    }

    /**
     * The first delay, before jitter. Default: 250 ms.
     *
     * @param initial a positive duration, not above {@link #max(Duration) the maximum}
     * @return this backoff
     * @throws IllegalArgumentException when {@code initial} is not positive or exceeds the maximum
     */
    public Backoff initial(Duration initial) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("Backoff initial delay must be positive, not " + initial);
        }
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException("Backoff initial delay (" + initial + ") must not exceed the maximum ("
                    + max + "); raise the maximum first");
        }
        this.initial = initial;
        return this;
    }

    /**
     * The longest delay, jitter included. Default: 10 s.
     *
     * @param max not below the initial delay
     * @return this backoff
     * @throws IllegalArgumentException when {@code max} is below the initial delay
     */
    public Backoff max(Duration max) {
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("Backoff maximum (" + max + ") must not be below the initial delay ("
                    + initial + ")");
        }
        this.max = max;
        return this;
    }

    /**
     * How much each delay grows over the one before. Default: 2.
     *
     * @param multiplier a finite number, at least 1 (1 for a constant delay)
     * @return this backoff
     * @throws IllegalArgumentException for a number below 1, infinite, or NaN
     */
    public Backoff multiplier(double multiplier) {
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("Backoff multiplier must be a finite number of at least 1, not " + multiplier);
        }
        this.multiplier = multiplier;
        return this;
    }

    /**
     * How delays are spread. Default: {@link Jitter#HALF}, ±50%.
     *
     * @param jitter the spread; not null
     * @return this backoff
     */
    public Backoff jitter(Jitter jitter) {
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        return this;
    }

    /**
     * Where jitter comes from; give a seeded generator for repeatable delays. Default: {@link RandomGenerator#getDefault()}.
     *
     * @param random the generator; not null
     * @return this backoff
     */
    public Backoff random(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
        return this;
    }

    /** {@return the delay before the next attempt}; counts that attempt. */
    public Duration next() {
        attempts++;
        double base = Math.min(initial.toNanos() * Math.pow(multiplier, attempts - 1), max.toNanos());
        double delay = switch (jitter) {
            case NONE -> base;
            case FULL -> base * random.nextDouble();
            case HALF -> base * (0.5 + random.nextDouble());
        };
        return Duration.ofNanos((long) Math.min(delay, max.toNanos()));
    }

    /**
     * Sleeps for {@link #next()}.
     *
     * @return how long it slept
     * @throws InterruptedException when the thread is interrupted while it waits
     */
    public Duration pause() throws InterruptedException {
        Duration delay = next();
        Thread.sleep(delay);
        return delay;
    }

    /** {@return how many delays were handed out since the last {@link #reset()}}: the attempt now due. */
    public int attempts() {
        return attempts;
    }

    /** Starts again from the initial delay: call it once a connection succeeds. */
    public void reset() {
        attempts = 0;
    }

    @Override
    public String toString() {
        return "backoff from " + initial + " ×" + multiplier + " up to " + max + ", jitter " + jitter
                + " (attempt " + attempts + ")";
    }
}
