package dev.sockit.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * A registry of counters, gauges and histograms, read by exporters: the Prometheus text
 * ({@link PrometheusText}, {@link PrometheusEndpoint}), the Micrometer binding (module
 * {@code sockit-micrometer}), or the application itself. A server fills one given to
 * {@code Server.Builder.metrics}; anything else (a cluster broker, the application) may add
 * its own metrics to the same registry. Thread-safe; reading the values never blocks the
 * threads that count.
 *
 * <pre>{@code
 * Metrics metrics = new Metrics();
 * Server server = Server.listen(endpoint).metrics(metrics).start();
 * Counter links = metrics.counter("sockit_cluster_reconnects_total", "Times the link to the broker was re-established.");
 * metrics.gauge("sockit_cluster_link_up", "1 while the link to the broker is up, else 0.", () -> up ? 1 : 0);
 * try (PrometheusEndpoint http = PrometheusEndpoint.start(metrics, Endpoint.parse("tcp://127.0.0.1:9464"))) { ... }
 * }</pre>
 *
 * <p>Names follow Prometheus' rules: letters, digits and underscores, beginning with
 * {@code sockit_} for sockit's own, and {@code _total} at the end of every counter. One name
 * is one kind with one help text; each series of it differs by its labels.
 */
public final class Metrics {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    // Guarded by itself; in the order registered, so the exposition reads as the code does.
    private final List<Metric> metrics = new ArrayList<>();

    /** An empty registry. */
    public Metrics() {
    }

    /**
     * Registers a counter and returns it for counting.
     *
     * @param name   the series' name, ending in {@code _total}, e.g. {@code sockit_cluster_reconnects_total}
     * @param help   one sentence for people, shown as Prometheus' {@code # HELP}
     * @param labels name and value pairs, e.g. {@code "reason", "timeout"}
     * @return the counter, to be counted from any thread
     * @throws IllegalArgumentException for a malformed name or labels, a counter name without
     *     {@code _total}, or a series already registered
     */
    public Counter counter(String name, String help, String... labels) {
        Counter counter = new Counter();
        add(name, Metric.Type.COUNTER, help, counter::value, null, labels);
        return counter;
    }

    /**
     * Registers a counter whose count is kept elsewhere, read by {@code value} at each scrape
     * (which must be cheap and never go down).
     *
     * @param name   the series' name, ending in {@code _total}
     * @param help   one sentence for people, shown as Prometheus' {@code # HELP}
     * @param value  the count now; called on the scraping thread
     * @param labels name and value pairs, e.g. {@code "reason", "timeout"}
     * @throws IllegalArgumentException as {@link #counter(String, String, String...)}
     */
    public void counter(String name, String help, LongSupplier value, String... labels) {
        add(name, Metric.Type.COUNTER, help, Objects.requireNonNull(value, "value"), null, labels);
    }

    /**
     * Registers a gauge, read by {@code value} at each scrape (which must be cheap).
     *
     * @param name   the series' name, e.g. {@code sockit_connections_open}
     * @param help   one sentence for people, shown as Prometheus' {@code # HELP}
     * @param value  the value now; called on the scraping thread
     * @param labels name and value pairs, e.g. {@code "endpoint", "tcp://127.0.0.1:8001"}
     * @throws IllegalArgumentException for a malformed name or labels, or a series already registered
     */
    public void gauge(String name, String help, LongSupplier value, String... labels) {
        add(name, Metric.Type.GAUGE, help, Objects.requireNonNull(value, "value"), null, labels);
    }

    /**
     * Registers a histogram of durations with these bucket bounds (increasing; e.g.
     * {@link Histogram#LATENCY_BOUNDS}) and returns it for recording.
     *
     * @param name   the series' name, e.g. {@code sockit_handler_seconds}; exported with
     *     {@code _bucket}, {@code _sum} and {@code _count} appended
     * @param help   one sentence for people, shown as Prometheus' {@code # HELP}
     * @param bounds the buckets' upper bounds, increasing; a last bucket beyond them is added
     * @param labels name and value pairs
     * @return the histogram, to be recorded into from any thread
     * @throws IllegalArgumentException for a malformed name, labels or bounds, or a series already registered
     */
    public Histogram histogram(String name, String help, Duration[] bounds, String... labels) {
        Histogram histogram = new Histogram(bounds);
        add(name, Metric.Type.HISTOGRAM, help, null, histogram, labels);
        return histogram;
    }

    /** {@return every series registered so far, in the order registered}; a copy, safe to iterate. */
    public List<Metric> metrics() {
        synchronized (metrics) {
            return List.copyOf(metrics);
        }
    }

    private void add(String name, Metric.Type type, String help, LongSupplier value, Histogram histogram,
            String... labels) {
        Objects.requireNonNull(help, "help");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name \"" + name + "\" is not one: use letters, digits and"
                    + " underscores, not starting with a digit, e.g. sockit_connections_open");
        }
        if (type == Metric.Type.COUNTER && !name.endsWith("_total")) {
            throw new IllegalArgumentException("counter " + name + " must end in _total, as Prometheus counters do: "
                    + name + "_total");
        }
        Map<String, String> labelMap = labels(name, labels);
        Metric metric = new Metric(name, type, help, labelMap, value, histogram);
        synchronized (metrics) {
            for (Metric known : metrics) {
                if (!known.name().equals(name)) {
                    continue;
                }
                if (known.type() != type || !known.help().equals(help)) {
                    throw new IllegalArgumentException("metric " + name + " is already a " + known.type()
                            + " described as \"" + known.help() + "\"; one name is one kind with one help text");
                }
                if (known.labels().equals(labelMap)) {
                    throw new IllegalArgumentException("metric " + name + labelMap + " is already registered"
                            + " (two servers in one registry? give each its own)");
                }
            }
            metrics.add(metric);
        }
    }

    private static Map<String, String> labels(String name, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels of " + name + " come in name and value pairs, and "
                    + List.of(labels) + " has " + labels.length + " strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            String label = labels[i];
            if (label == null || !LABEL.matcher(label).matches() || label.startsWith("__") || label.equals("le")) {
                throw new IllegalArgumentException("label name \"" + label + "\" of " + name + " is not one: use"
                        + " letters, digits and underscores, not starting with __ and not \"le\"");
            }
            if (map.put(label, Objects.requireNonNull(labels[i + 1], "label value")) != null) {
                throw new IllegalArgumentException("label " + label + " of " + name + " is given twice");
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
