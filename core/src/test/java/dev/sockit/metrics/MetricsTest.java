package dev.sockit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The registry's rules: Prometheus names, one kind per name, one series per label set. */
class MetricsTest {

    @Test
    void aCounterWithoutTotalIsRefusedNamingTheRightName() {
        assertThatThrownBy(() -> new Metrics().counter("sockit_things", "Things."))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sockit_things_total");
    }

    @Test
    void theSameSeriesTwiceIsRefused() {
        Metrics metrics = new Metrics();
        metrics.counter("sockit_x_total", "X.", "cause", "a");
        metrics.counter("sockit_x_total", "X.", "cause", "b");
        assertThatThrownBy(() -> metrics.counter("sockit_x_total", "X.", "cause", "a"))
                .hasMessageContaining("already registered");
    }

    @Test
    void oneNameCannotBeTwoKinds() {
        Metrics metrics = new Metrics();
        metrics.gauge("sockit_level", "Level.", () -> 1);
        assertThatThrownBy(() -> metrics.histogram("sockit_level", "Level.", Histogram.LATENCY_BOUNDS))
                .hasMessageContaining("already a GAUGE");
    }

    @Test
    void labelsComeInPairsOfWellFormedNames() {
        assertThatThrownBy(() -> new Metrics().gauge("sockit_g", "G.", () -> 0, "reason"))
                .hasMessageContaining("pairs");
        assertThatThrownBy(() -> new Metrics().gauge("sockit_g", "G.", () -> 0, "le", "1"))
                .hasMessageContaining("\"le\"");
    }

    @Test
    void aCounterCountsWhatEveryThreadAdds() throws Exception {
        Counter counter = new Metrics().counter("sockit_n_total", "N.");
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    counter.increment();
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(counter.value()).isEqualTo(40_000);
    }

    @Test
    void aHistogramPutsEachDurationInTheFirstBucketThatHoldsIt() {
        Histogram histogram = new Metrics().histogram("sockit_h_seconds", "H.",
                new Duration[] {Duration.ofMillis(1), Duration.ofMillis(10)});
        histogram.record(Duration.ofMillis(1).toNanos()); // on the bound: le is "less or equal"
        histogram.record(Duration.ofMillis(5).toNanos());
        histogram.record(Duration.ofSeconds(1).toNanos());
        assertThat(histogram.counts()).containsExactly(1, 1, 1);
        assertThat(histogram.sumSeconds()).isEqualTo(1.006);
    }
}
