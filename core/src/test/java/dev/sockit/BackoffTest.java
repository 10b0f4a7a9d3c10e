package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.Backoff.Jitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Delays computed, never slept: a seeded generator makes the jitter repeatable. */
class BackoffTest {

    private static List<Duration> delays(Backoff backoff, int count) {
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            delays.add(backoff.next());
        }
        return delays;
    }

    @Test
    void withoutJitterDoublesFrom250MillisecondsUpTo10Seconds() {
        assertThat(delays(Backoff.exponential().jitter(Jitter.NONE), 9)).extracting(Duration::toMillis)
                .containsExactly(250L, 500L, 1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L, 10_000L);
    }

    @Test
    void halfJitterStaysWithinFiftyPercentOfEachDelayAndUnderTheCap() {
        Backoff backoff = Backoff.exponential().random(new SplittableRandom(42));
        for (int attempt = 1; attempt <= 1_000; attempt++) {
            long base = (long) Math.min(250 * Math.pow(2, Math.min(attempt - 1, 20)), 10_000);
            assertThat(backoff.next().toMillis()).as("attempt %d", attempt)
                    .isBetween(base / 2, Math.min(base * 3 / 2, 10_000));
        }
    }

    @Test
    void fullJitterStaysBetweenZeroAndEachDelay() {
        Backoff backoff = Backoff.exponential().jitter(Jitter.FULL).random(new SplittableRandom(7));
        for (int attempt = 1; attempt <= 1_000; attempt++) {
            long base = (long) Math.min(250 * Math.pow(2, Math.min(attempt - 1, 20)), 10_000);
            assertThat(backoff.next().toMillis()).as("attempt %d", attempt).isBetween(0L, base);
        }
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        assertThat(delays(Backoff.exponential().random(new SplittableRandom(1)), 20))
                .isEqualTo(delays(Backoff.exponential().random(new SplittableRandom(1)), 20));
    }

    @Test
    void jitterSpreadsDelaysOverTheirRange() {
        Backoff backoff = Backoff.exponential().random(new SplittableRandom(3));
        List<Long> firsts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            backoff.reset();
            firsts.add(backoff.next().toMillis());
        }
        assertThat(firsts).anySatisfy(d -> assertThat(d).isLessThan(160))
                .anySatisfy(d -> assertThat(d).isGreaterThan(340));
    }

    @Test
    void resetStartsAgainFromTheInitialDelayAndCountsAttempts() {
        Backoff backoff = Backoff.exponential().jitter(Jitter.NONE).initial(Duration.ofMillis(100)).multiplier(3);
        assertThat(delays(backoff, 3)).extracting(Duration::toMillis).containsExactly(100L, 300L, 900L);
        assertThat(backoff.attempts()).isEqualTo(3);
        backoff.reset();
        assertThat(backoff.attempts()).isZero();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void neverOverflowsAfterVeryManyAttempts() {
        Backoff backoff = Backoff.exponential().jitter(Jitter.NONE);
        for (int i = 0; i < 100_000; i++) {
            backoff.next();
        }
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void refusesSettingsThatContradictEachOther() {
        assertThatThrownBy(() -> Backoff.exponential().initial(Duration.ofSeconds(20)))
                .hasMessageContaining("must not exceed the maximum");
        assertThatThrownBy(() -> Backoff.exponential().max(Duration.ofMillis(100)))
                .hasMessageContaining("must not be below the initial delay");
        assertThatThrownBy(() -> Backoff.exponential().multiplier(0.5)).hasMessageContaining("at least 1, not 0.5");
        assertThatThrownBy(() -> Backoff.exponential().initial(Duration.ZERO)).hasMessageContaining("must be positive");
    }
}
