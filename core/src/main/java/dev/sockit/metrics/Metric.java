package dev.sockit.metrics;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One time series of a {@link Metrics} registry, as an exporter reads it: its name, kind,
 * help text and labels, and how to read its value now.
 *
 * @param name      the family's name, e.g. {@code sockit_connections_closed_total}
 * @param type      counter, gauge or histogram
 * @param help      one sentence saying what it counts
 * @param labels    this series' labels in the order given, e.g. {@code reason=timeout}; often empty
 * @param value     reads a counter or gauge now; null for a histogram
 * @param histogram the histogram; null for a counter or gauge
 */
public record Metric(String name, Type type, String help, Map<String, String> labels, LongSupplier value,
        Histogram histogram) {

    /** The kinds of metric, as Prometheus names them. */
    public enum Type {
        /** A count that only goes up; its name ends in {@code _total}. */
        COUNTER,
        /** A level that goes up and down, such as connections open now. */
        GAUGE,
        /** Durations counted in fixed buckets; see {@link Histogram}. */
        HISTOGRAM
    }
}
