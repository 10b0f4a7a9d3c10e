package dev.sockit.micrometer;

import dev.sockit.metrics.Histogram;
import dev.sockit.metrics.Metric;
import dev.sockit.metrics.Metrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Binds a sockit {@link Metrics} registry to a Micrometer {@link MeterRegistry}, for an
 * application that reports through Micrometer already: each counter becomes a
 * {@link FunctionCounter}, each gauge a {@link Gauge}, each histogram a {@link FunctionTimer},
 * read from sockit's registry whenever Micrometer publishes, so nothing is counted twice.
 *
 * <pre>{@code
 * Metrics metrics = new Metrics();
 * Server server = Server.listen(endpoint).metrics(metrics).start();
 * new SockitMeters(metrics).bindTo(meterRegistry);
 * }</pre>
 *
 * <p>Names follow Micrometer's convention: {@code sockit_connections_accepted_total} becomes
 * {@code sockit.connections.accepted} (Micrometer's Prometheus registry writes it back as
 * the former), {@code sockit_handler_seconds} becomes the timer {@code sockit.handler};
 * labels become tags. Binding takes the metrics registered so far: bind after the server
 * has started, and after anything else that adds metrics.
 */
public final class SockitMeters implements MeterBinder {

    private final Metrics metrics;

    /**
     * A binder of a sockit registry, to be given to {@code MeterBinder.bindTo}.
     *
     * @param metrics the registry to bind, filled before binding; not null
     */
    public SockitMeters(Metrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Metric metric : metrics.metrics()) {
            List<Tag> tags = metric.labels().entrySet().stream().map(l -> Tag.of(l.getKey(), l.getValue())).toList();
            switch (metric.type()) {
                case COUNTER -> FunctionCounter.builder(meterName(metric), metric.value(), LongSupplier::getAsLong)
                        .description(metric.help()).tags(tags).register(registry);
                case GAUGE -> Gauge.builder(meterName(metric), metric.value(), LongSupplier::getAsLong)
                        .description(metric.help()).tags(tags).register(registry);
                case HISTOGRAM -> FunctionTimer.builder(meterName(metric), metric.histogram(), SockitMeters::count,
                                h -> h.sumSeconds(), TimeUnit.SECONDS)
                        .description(metric.help()).tags(tags).register(registry);
            }
        }
    }

    /** The Micrometer name of a sockit metric: dots, without the suffix Micrometer adds itself. */
    static String meterName(Metric metric) {
        String name = metric.name();
        String suffix = switch (metric.type()) {
            case COUNTER -> "_total";
            case HISTOGRAM -> "_seconds";
            case GAUGE -> "";
        };
        if (!suffix.isEmpty() && name.endsWith(suffix)) {
            name = name.substring(0, name.length() - suffix.length());
        }
        return name.replace('_', '.');
    }

    private static long count(Histogram histogram) {
        long count = 0;
        for (long bucket : histogram.counts()) {
            count += bucket;
        }
        return count;
    }
}
