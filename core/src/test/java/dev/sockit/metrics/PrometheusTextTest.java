package dev.sockit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The text exposition format, written without sockets, and checked by promtool. */
class PrometheusTextTest {

    @Test
    void aFamilyIsWrittenOnceWithEachOfItsSeries() {
        Metrics metrics = new Metrics();
        metrics.counter("sockit_closed_total", "Closed, by reason.", "reason", "timeout").add(3);
        metrics.gauge("sockit_open", "Open now.", () -> 7);
        metrics.counter("sockit_closed_total", "Closed, by reason.", "reason", "kicked").increment();
        assertThat(PrometheusText.of(metrics)).isEqualTo("""
                # HELP sockit_closed_total Closed, by reason.
                # TYPE sockit_closed_total counter
                sockit_closed_total{reason="timeout"} 3
                sockit_closed_total{reason="kicked"} 1
                # HELP sockit_open Open now.
                # TYPE sockit_open gauge
                sockit_open 7
                """);
    }

    @Test
    void labelValuesAndHelpAreEscaped() {
        Metrics metrics = new Metrics();
        metrics.gauge("sockit_g", "A \\ and a\nnewline.", () -> 1, "peer", "say \"hi\"\\\n");
        assertThat(PrometheusText.of(metrics)).contains("# HELP sockit_g A \\\\ and a\\nnewline.\n")
                .contains("sockit_g{peer=\"say \\\"hi\\\"\\\\\\n\"} 1\n");
    }

    @Test
    void aHistogramIsWrittenAsCumulativeBucketsWithSumAndCount() {
        Metrics metrics = new Metrics();
        Histogram histogram = metrics.histogram("sockit_handler_seconds", "Handler time per message.",
                new Duration[] {Duration.ofNanos(10_000), Duration.ofMillis(1)}, "mode", "echo");
        histogram.record(5_000);
        histogram.record(500_000);
        histogram.record(2_000_000_000L);
        assertThat(PrometheusText.of(metrics)).isEqualTo("""
                # HELP sockit_handler_seconds Handler time per message.
                # TYPE sockit_handler_seconds histogram
                sockit_handler_seconds_bucket{mode="echo",le="0.00001"} 1
                sockit_handler_seconds_bucket{mode="echo",le="0.001"} 2
                sockit_handler_seconds_bucket{mode="echo",le="+Inf"} 3
                sockit_handler_seconds_sum{mode="echo"} 2.000505
                sockit_handler_seconds_count{mode="echo"} 3
                """);
    }

    @Test
    void promtoolFindsNothingWrongWithAHistogramCountersAndGauges() throws Exception {
        Metrics metrics = new Metrics();
        metrics.counter("sockit_things_total", "Things.", "cause", "a").increment();
        metrics.gauge("sockit_level", "Level.", () -> 3);
        metrics.histogram("sockit_handler_seconds", "Handler time.", Histogram.LATENCY_BOUNDS).record(42_000);
        assertThat(Scrape.promtoolCheck(PrometheusText.of(metrics))).isBlank();
    }
}
