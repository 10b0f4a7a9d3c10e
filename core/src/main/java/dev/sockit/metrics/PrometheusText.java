package dev.sockit.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Metrics} registry in the Prometheus text exposition format, version 0.0.4:
 * for each family a {@code # HELP} and a {@code # TYPE} line, then one line per series
 * ({@code name{label="value"} 42}); histograms as cumulative {@code _bucket} lines with an
 * {@code le} label, then {@code _sum} (seconds) and {@code _count}.
 *
 * <pre>{@code
 * String body = PrometheusText.of(metrics);
 * }</pre>
 */
public final class PrometheusText {

    /** The media type of what {@link #write} produces, for an HTTP {@code Content-Type}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {}

    /**
     * {@return the registry's metrics now, as one text}
     *
     * @param metrics the registry to read
     */
    public static String of(Metrics metrics) {
        StringBuilder text = new StringBuilder(4096);
        try {
            write(metrics, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not fail
        }
        return text.toString();
    }

    /**
     * Writes the registry's metrics now to {@code out}.
     *
     * @param metrics the registry to read
     * @param out     where to write the text
     * @throws IOException when {@code out} fails
     */
    public static void write(Metrics metrics, Appendable out) throws IOException {
        List<Metric> all = metrics.metrics();
        Set<String> written = new HashSet<>();
        for (Metric first : all) {
            // The exposition wants a family's series together, though they may be registered apart.
            if (!written.add(first.name())) {
                continue;
            }
            out.append("# HELP ").append(first.name()).append(' ').append(escapeHelp(first.help())).append('\n');
            out.append("# TYPE ").append(first.name()).append(' ')
                    .append(first.type().name().toLowerCase(java.util.Locale.ROOT)).append('\n');
            for (Metric metric : all) {
                if (metric.name().equals(first.name())) {
                    writeSeries(metric, out);
                }
            }
        }
    }

    private static void writeSeries(Metric metric, Appendable out) throws IOException {
        if (metric.type() != Metric.Type.HISTOGRAM) {
            out.append(metric.name());
            labels(metric.labels(), null, out);
            out.append(' ').append(Long.toString(metric.value().getAsLong())).append('\n');
            return;
        }
        Histogram histogram = metric.histogram();
        double[] bounds = histogram.boundsSeconds();
        long[] counts = histogram.counts();
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i];
            out.append(metric.name()).append("_bucket");
            labels(metric.labels(), i < bounds.length ? plain(bounds[i]) : "+Inf", out);
            out.append(' ').append(Long.toString(cumulative)).append('\n');
        }
        out.append(metric.name()).append("_sum");
        labels(metric.labels(), null, out);
        out.append(' ').append(plain(histogram.sumSeconds())).append('\n');
        // From the same counts as the buckets, so that _count always equals the +Inf bucket.
        out.append(metric.name()).append("_count");
        labels(metric.labels(), null, out);
        out.append(' ').append(Long.toString(cumulative)).append('\n');
    }

    private static void labels(Map<String, String> labels, String le, Appendable out) throws IOException {
        if (labels.isEmpty() && le == null) {
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(label.getKey()).append("=\"").append(escapeLabel(label.getValue())).append('"');
        }
        if (le != null) {
            out.append(first ? "" : ",").append("le=\"").append(le).append('"');
        }
        out.append('}');
    }

    /** 0.00001, not 1.0E-5: easier to read, and accepted everywhere. */
    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
