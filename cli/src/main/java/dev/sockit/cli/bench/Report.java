package dev.sockit.cli.bench;

import dev.sockit.cli.DurationConverter;
import java.util.Locale;

/**
 * Writes a {@link BenchResult} for people (a short summary) or for machines (one JSON object,
 * written by hand: the command has no JSON library and needs none for flat numbers), and
 * says in one line why a run failed.
 */
public final class Report {

    /** Other processes taking more CPU than this during a run make its figures doubtful. */
    public static final double NOISY_CORES = 0.05;

    private Report() {}

    /** The summary printed at the end of a run. */
    public static String text(BenchResult r) {
        BenchSettings s = r.settings();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "sockit bench %s: %s, %,d connection%s x depth %,d, %,d-byte %s, %s, %d thread%s%n",
                s.endpoint(), s.mode(), s.conns(), s.conns() == 1 ? "" : "s", s.depth(), s.size(),
                s.datagrams() ? "datagrams" : "lines",
                s.openLoop() ? String.format(Locale.ROOT, "open loop at %,d msgs/s", s.rate()) : "closed loop",
                s.threads(), s.threads() == 1 ? "" : "s"));
        measured(b, r.seconds(), s);
        b.append(String.format(Locale.ROOT, "  throughput  %,.0f msgs/s   %,.1f MB/s sent   %,.1f MB/s received%n",
                r.messagesPerSecond(), r.megabytesSentPerSecond(), r.megabytesReceivedPerSecond()));
        BenchResult.Latency l = r.latency();
        latency(b, l, "no replies", s.openLoop() ? "   (from when each request was due)" : "");
        BenchResult.Datagrams d = r.datagrams();
        if (d != null) {
            b.append(String.format(Locale.ROOT, "  datagrams   sent %,d   received %,d   lost %,d (%.2f%%, no reply within %s)   late %,d%n",
                    d.sent(), d.received(), d.lost(), d.lossPercent(), DurationConverter.format(s.lossTimeout()), d.late()));
        }
        b.append(String.format(Locale.ROOT, "  errors      %,d%s%n", r.errors(), r.errors() == 0 ? ""
                : String.format(Locale.ROOT, " (%,d bad replies, %,d lines answering nothing, %,d connections lost)",
                        r.badReplies(), r.unexpectedReplies(), r.lostConnections())));
        b.append("  generator   ").append(generator(r)).append('\n');
        if (l.count() > 0) {
            b.append("  stalls      ").append(stalls(r)).append('\n');
        }
        if (r.serverCpuNanos() >= 0) {
            server(b, r.serverMicrosPerMessage(), "message", s);
        }
        machine(b, r.otherBusyCores(), r.stealCores());
        return b.toString();
    }

    private static String generator(BenchResult r) {
        boolean polling = r.settings().busyPoll();
        String cpu = r.generatorMicrosPerMessage() < 0 ? "CPU per message unknown"
                : micros(r.generatorMicrosPerMessage()) + (polling ? " of work per message (busy polling)" : " CPU per message");
        String busy = r.busiestLoop() < 0 ? "" : String.format(Locale.ROOT, polling ? "; busiest thread worked %.0f%% of the time"
                : "; busiest thread %.0f%% busy", r.busiestLoop() * 100);
        String verdict;
        if (r.settings().openLoop()) {
            verdict = String.format(Locale.ROOT, "; requests released %s late on average", latency((long) r.scheduleLagNanos()))
                    + (r.generatorSaturated() ? " — the generator fell behind its schedule (add --threads or a core)"
                            : " — kept to the schedule");
        } else {
            verdict = r.generatorSaturated()
                    ? " — SATURATED: the generator may be the bottleneck, so the server may be faster than this"
                            + " (add --threads, or give it a core of its own)"
                    : " — not the bottleneck";
        }
        return cpu + busy + verdict;
    }

    // The generator's own longest stalls, and when in the run the longest reply came.
    private static String stalls(BenchResult r) {
        BenchResult.Stalls st = r.stalls();
        StringBuilder b = new StringBuilder("the generator's own: ");
        b.append(st.hiccupNanos() < 0 ? "its 1 ms sleeper did not run"
                : "its 1 ms sleeper woke up to " + latency(st.hiccupNanos()) + " late");
        if (st.lagMaxNanos() >= 0) {
            b.append(", it released requests up to ").append(latency(st.lagMaxNanos())).append(" late");
        }
        int longest = st.measureSlot();
        for (int i = st.measureSlot(); i < st.latencyBySlot().length; i++) {
            if (st.latencyBySlot()[i] > st.latencyBySlot()[longest]) {
                longest = i;
            }
        }
        return b.append(String.format(Locale.ROOT, "; the longest reply came %.1f–%.1f s into the run (measuring from %.1f s)",
                longest * st.slotNanos() / 1e9, (longest + 1) * st.slotNanos() / 1e9,
                r.settings().warmup().toNanos() / 1e9)).toString();
    }

    /** One JSON object with every figure; latencies in microseconds, absent values as null. */
    public static String json(BenchResult r) {
        BenchSettings s = r.settings();
        StringBuilder b = new StringBuilder(1024).append('{');
        field(b, "endpoint", quote(s.endpoint().toString()));
        field(b, "mode", quote(s.mode().toString()));
        field(b, "conns", s.conns());
        field(b, "depth", s.depth());
        sizeAndTiming(b, s);
        field(b, "rate", s.rate());
        field(b, "threads", s.threads());
        field(b, "busy_poll", Boolean.toString(s.busyPoll()));
        reply(b, s);
        field(b, "seconds", number(r.seconds()));
        field(b, "messages", r.messages());
        field(b, "msgs_per_s", number(r.messagesPerSecond()));
        field(b, "mb_per_s_sent", number(r.megabytesSentPerSecond()));
        field(b, "mb_per_s_received", number(r.megabytesReceivedPerSecond()));
        latencyJson(b, r.latency());
        BenchResult.Datagrams d = r.datagrams();
        if (d != null) {
            field(b, "loss_timeout_s", number(s.lossTimeout().toNanos() / 1e9));
            field(b, "sent", d.sent());
            field(b, "received", d.received());
            field(b, "lost", d.lost());
            field(b, "loss_pct", number(d.lossPercent()));
            field(b, "late", d.late());
        }
        field(b, "errors", r.errors());
        field(b, "bad_replies", r.badReplies());
        field(b, "unexpected_replies", r.unexpectedReplies());
        field(b, "lost_connections", r.lostConnections());
        field(b, "first_error", quoteOrNull(r.firstError()));
        field(b, "generator_cpu_us_per_msg", orNull(r.generatorMicrosPerMessage()));
        field(b, "generator_busiest_thread", orNull(r.busiestLoop()));
        field(b, "generator_schedule_lag_us", r.scheduleLagNanos() < 0 ? "null" : number(r.scheduleLagNanos() / 1e3));
        field(b, "generator_saturated", Boolean.toString(r.generatorSaturated()));
        field(b, "server_pid", s.serverPid() > 0 ? Long.toString(s.serverPid()) : "null");
        field(b, "server_cpu_us_per_msg", orNull(r.serverMicrosPerMessage()));
        machineJson(b, r.otherBusyCores(), r.stealCores());
        BenchResult.Stalls st = r.stalls();
        field(b, "generator_hiccup_us", st.hiccupNanos() < 0 ? "null" : number(st.hiccupNanos() / 1e3));
        field(b, "generator_lag_max_us", st.lagMaxNanos() < 0 ? "null" : number(st.lagMaxNanos() / 1e3));
        b.append("\"timeline\":{");
        field(b, "slot_ms", st.slotNanos() / 1_000_000);
        field(b, "measure_slot", st.measureSlot());
        field(b, "latency_max_us", wholeMicros(st.latencyBySlot()));
        field(b, "lag_max_us", st.lagBySlot() == null ? "null" : wholeMicros(st.lagBySlot()));
        b.setLength(b.length() - 1);
        b.append("},");
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /**
     * Why the run failed, in one line without the {@code sockit:} prefix, or null when it did
     * not: replies that failed verification, or connections lost.
     */
    public static String failure(BenchResult r) {
        if (r.badReplies() + r.unexpectedReplies() > 0) {
            return String.format(Locale.ROOT, "%,d replies failed verification (%s); first: %s — check --mode and --reply",
                    r.badReplies() + r.unexpectedReplies(), expected(r.settings()), r.firstError());
        }
        if (r.lostConnections() > 0 && r.datagrams() != null) {
            return String.format(Locale.ROOT, "%,d of %,d UDP sockets stopped during the run; first: %s"
                    + " — is a server listening on %s?", r.lostConnections(), r.settings().conns(), r.firstError(),
                    r.settings().endpoint());
        }
        if (r.lostConnections() > 0) {
            return String.format(Locale.ROOT, "%,d of %,d connections were lost during the run; first: %s"
                    + " — is the server limiting connections, or failing?", r.lostConnections(), r.settings().conns(),
                    r.firstError());
        }
        if (r.messages() == 0 && r.datagrams() != null) {
            return String.format(Locale.ROOT, "no replies in %.1f s: %,d requests sent, %,d of them lost (no reply within %s)"
                    + " — is a server listening on %s? (sockit server %s%s)", r.seconds(), r.datagrams().sent(),
                    r.datagrams().lost(), DurationConverter.format(r.settings().lossTimeout()), r.settings().endpoint(),
                    r.settings().endpoint(), r.settings().mode() == Mode.ECHO ? " --mode echo" : "");
        }
        if (r.messages() == 0) {
            return "no replies in " + String.format(Locale.ROOT, "%.1f s", r.seconds())
                    + " — does the server answer each line? (sockit server --mode echo)";
        }
        return null;
    }

    /** The summary printed at the end of a bulk transfer. */
    public static String text(BulkResult r) {
        BenchSettings s = r.settings();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "sockit bench %s: discard, %,d connection%s, %,d-byte writes%n",
                s.endpoint(), s.conns(), s.conns() == 1 ? "" : "s", s.size()));
        measured(b, r.seconds(), s);
        b.append(String.format(Locale.ROOT, "  throughput  %.2f Gbit/s   %,.1f MB/s   (bytes the server's socket took)%n",
                r.gigabitsPerSecond(), r.megabytesPerSecond()));
        b.append(String.format(Locale.ROOT, "  errors      %,d%s%n", r.errors(), r.lostConnections() == 0 ? ""
                : String.format(Locale.ROOT, " (%,d connections lost)", r.lostConnections())));
        String cpu = r.generatorCores() < 0 ? "CPU unknown" : String.format(Locale.ROOT, "%.2f CPUs", r.generatorCores());
        String busy = r.busiestWriter() < 0 ? ""
                : String.format(Locale.ROOT, "; busiest writer %.0f%% busy", r.busiestWriter() * 100);
        b.append("  generator   ").append(cpu).append(busy).append(r.generatorSaturated()
                ? " — SATURATED: the generator may be the bottleneck (give it a core of its own, or add --conns)"
                : " — not the bottleneck").append('\n');
        if (r.serverCpuNanos() >= 0) {
            b.append(String.format(Locale.ROOT, "  server      %.2f CPUs, %.0f ms of CPU per GB (pid %d)%n",
                    r.serverCores(), r.serverMillisPerGigabyte(), s.serverPid()));
        }
        machine(b, r.otherBusyCores(), r.stealCores());
        return b.toString();
    }

    /** One JSON object with every figure of a bulk transfer; absent values as null. */
    public static String json(BulkResult r) {
        BenchSettings s = r.settings();
        StringBuilder b = new StringBuilder(512).append('{');
        field(b, "endpoint", quote(s.endpoint().toString()));
        field(b, "mode", quote(s.mode().toString()));
        field(b, "conns", s.conns());
        sizeAndTiming(b, s);
        field(b, "seconds", number(r.seconds()));
        field(b, "bytes", r.bytes());
        field(b, "gbit_per_s", number(r.gigabitsPerSecond()));
        field(b, "mb_per_s", number(r.megabytesPerSecond()));
        field(b, "errors", r.errors());
        field(b, "lost_connections", r.lostConnections());
        field(b, "first_error", quoteOrNull(r.firstError()));
        field(b, "server_said", quoteOrNull(r.serverSaid()));
        field(b, "generator_cpus", orNull(r.generatorCores()));
        field(b, "generator_busiest_thread", orNull(r.busiestWriter()));
        field(b, "generator_saturated", Boolean.toString(r.generatorSaturated()));
        field(b, "server_pid", s.serverPid() > 0 ? Long.toString(s.serverPid()) : "null");
        field(b, "server_cpus", orNull(r.serverCores()));
        field(b, "server_cpu_ms_per_gb", orNull(r.serverMillisPerGigabyte()));
        machineJson(b, r.otherBusyCores(), r.stealCores());
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /**
     * Why a bulk transfer failed, in one line without the {@code sockit:} prefix, or null when
     * it did not: the server answered, connections were lost, or it took nothing.
     */
    public static String failure(BulkResult r) {
        String server = "sockit server " + r.settings().endpoint() + " --mode discard --framing raw";
        if (r.serverSaid() != null) {
            return "the server answered \"" + r.serverSaid() + "\", but a discard server answers nothing"
                    + (r.lostConnections() > 0 ? String.format(Locale.ROOT, " (and closed %,d of %,d connections)",
                            r.lostConnections(), r.settings().conns()) : "")
                    + " — is it reading raw bytes? (" + server + ")";
        }
        if (r.lostConnections() > 0) {
            return String.format(Locale.ROOT, "%,d of %,d connections were lost during the run; first: %s"
                    + " — is the server a discard server reading raw bytes? (%s)", r.lostConnections(),
                    r.settings().conns(), r.firstError(), server);
        }
        if (r.bytes() == 0) {
            return String.format(Locale.ROOT, "the server took no bytes in %.1f s — is it reading? (%s)", r.seconds(),
                    server);
        }
        return null;
    }

    /** The summary printed at the end of a run of connection churn. */
    public static String text(ChurnResult r) {
        BenchSettings s = r.settings();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "sockit bench %s: churn, %s, %,d loop%s of connect, one %,d-byte line, reply, close%n",
                s.endpoint(), s.mode(), s.conns(), s.conns() == 1 ? "" : "s", s.size()));
        measured(b, r.seconds(), s);
        b.append(String.format(Locale.ROOT, "  churn       %,.0f connections/s   (%,d started, %,d answered)%n",
                r.connectionsPerSecond(), r.started(), r.answered()));
        latency(b, r.latency(), "no connection answered", "   (connect to reply)");
        long errors = r.errors().total();
        b.append(String.format(Locale.ROOT, "  errors      %,d%s%n", errors, errors == 0 ? "" : " (" + r.errors() + ")"));
        String cpu = r.generatorMicrosPerConnection() < 0 ? "CPU per connection unknown"
                : micros(r.generatorMicrosPerConnection()) + " CPU per connection";
        String cores = r.generatorCores() < 0 ? "" : String.format(Locale.ROOT, "; %.2f of its %d CPU%s busy",
                r.generatorCores(), r.generatorCpus(), r.generatorCpus() == 1 ? "" : "s");
        b.append("  generator   ").append(cpu).append(cores).append(r.generatorSaturated()
                ? " — SATURATED: the generator may be the bottleneck, so the server may be faster than this"
                        + " (give it more CPUs)"
                : " — not the bottleneck").append('\n');
        if (r.serverCpuNanos() >= 0) {
            server(b, r.serverMicrosPerConnection(), "connection", s);
        }
        machine(b, r.otherBusyCores(), r.stealCores());
        return b.toString();
    }

    /** One JSON object with every figure of a run of connection churn; latencies in microseconds, absent values as null. */
    public static String json(ChurnResult r) {
        BenchSettings s = r.settings();
        StringBuilder b = new StringBuilder(1024).append('{');
        field(b, "endpoint", quote(s.endpoint().toString()));
        field(b, "churn", "true");
        field(b, "mode", quote(s.mode().toString()));
        field(b, "conns", s.conns());
        sizeAndTiming(b, s);
        reply(b, s);
        field(b, "seconds", number(r.seconds()));
        field(b, "started", r.started());
        field(b, "answered", r.answered());
        field(b, "conns_per_s", number(r.connectionsPerSecond()));
        latencyJson(b, r.latency());
        field(b, "errors", r.errors().total());
        for (ChurnResult.ErrorKind kind : ChurnResult.ErrorKind.values()) {
            field(b, kind.label().replace(' ', '_'), r.errors().of(kind));
        }
        field(b, "first_error", quoteOrNull(r.firstError()));
        field(b, "generator_cpu_us_per_conn", orNull(r.generatorMicrosPerConnection()));
        field(b, "generator_cpus", orNull(r.generatorCores()));
        field(b, "generator_saturated", Boolean.toString(r.generatorSaturated()));
        field(b, "server_pid", s.serverPid() > 0 ? Long.toString(s.serverPid()) : "null");
        field(b, "server_cpu_us_per_conn", orNull(r.serverMicrosPerConnection()));
        machineJson(b, r.otherBusyCores(), r.stealCores());
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /**
     * Why a run of connection churn failed, in one line without the {@code sockit:} prefix, or
     * null when it did not: any connection failed, or none was answered.
     */
    public static String failure(ChurnResult r) {
        long errors = r.errors().total();
        if (errors > 0) {
            String hint = r.errors().of(ChurnResult.ErrorKind.BAD_REPLY) > 0
                    ? expected(r.settings()) + " — check --mode and --reply"
                    : r.errors().of(ChurnResult.ErrorKind.REFUSED) == r.started()
                            ? "is a server running? (sockit server " + r.settings().endpoint() + ")"
                            : "is the server limiting connections, or failing?";
            return String.format(Locale.ROOT, "%,d of %,d connections failed (%s); first: %s — %s", errors, r.started(),
                    r.errors(), r.firstError(), hint);
        }
        if (r.answered() == 0) {
            return String.format(Locale.ROOT, "no connection answered in %.1f s — does the server answer each line?",
                    r.seconds());
        }
        return null;
    }

    private static void measured(StringBuilder b, double seconds, BenchSettings s) {
        b.append(String.format(Locale.ROOT, "measured %.1f s after %s of warmup%n%n", seconds,
                DurationConverter.format(s.warmup())));
    }

    private static void server(StringBuilder b, double micros, String per, BenchSettings s) {
        b.append(String.format(Locale.ROOT, "  server      %s CPU per %s (pid %d)%n", micros(micros), per, s.serverPid()));
    }

    // none: what the line says instead of percentiles when nothing was timed.
    private static void latency(StringBuilder b, BenchResult.Latency l, String none, String after) {
        if (l.count() == 0) {
            b.append("  latency     ").append(none).append('\n');
        } else {
            b.append(String.format(Locale.ROOT, "  latency     p50 %s   p90 %s   p99 %s   p99.9 %s   max %s%s%n",
                    latency(l.p50()), latency(l.p90()), latency(l.p99()), latency(l.p999()), latency(l.max()), after));
        }
    }

    // Other processes' CPU in the window, so that figures a neighbour disturbed say so; nothing when unknown.
    private static void machine(StringBuilder b, double otherBusyCores, double stealCores) {
        if (otherBusyCores >= 0) {
            b.append(String.format(Locale.ROOT, "  machine     other processes took %.2f CPUs%s%s%n", otherBusyCores,
                    stealCores > 0.01 ? String.format(Locale.ROOT, ", the hypervisor %.2f", stealCores) : "",
                    otherBusyCores > NOISY_CORES ? " — a busy neighbour: these figures are disturbed" : ""));
        }
    }

    private static String expected(BenchSettings s) {
        return s.mode() == Mode.ECHO ? "echo mode expects each line back" : "ack mode expects \"" + s.reply() + "\"";
    }

    // The bench scripts read these with jq under these names; keep them and their order as they are.
    private static void latencyJson(StringBuilder b, BenchResult.Latency l) {
        b.append("\"latency_us\":{");
        boolean none = l.count() == 0;
        field(b, "count", l.count());
        field(b, "mean", none ? "null" : number(l.mean() / 1e3));
        field(b, "p50", none ? "null" : number(l.p50() / 1e3));
        field(b, "p90", none ? "null" : number(l.p90() / 1e3));
        field(b, "p99", none ? "null" : number(l.p99() / 1e3));
        field(b, "p99_9", none ? "null" : number(l.p999() / 1e3));
        field(b, "max", none ? "null" : number(l.max() / 1e3));
        b.setLength(b.length() - 1);
        b.append("},");
    }

    private static void sizeAndTiming(StringBuilder b, BenchSettings s) {
        field(b, "size", s.size());
        field(b, "duration_s", number(s.duration().toNanos() / 1e9));
        field(b, "warmup_s", number(s.warmup().toNanos() / 1e9));
    }

    // Only ack mode has a reply to name.
    private static void reply(StringBuilder b, BenchSettings s) {
        if (s.mode() == Mode.ACK) {
            field(b, "reply", quote(s.reply()));
        }
    }

    private static void machineJson(StringBuilder b, double otherBusyCores, double stealCores) {
        field(b, "other_busy_cpus", orNull(otherBusyCores));
        field(b, "steal_cpus", orNull(stealCores));
    }

    /** A latency in nanoseconds as people read it: {@code 850 ns}, {@code 41.2 µs}, {@code 1.20 ms}, {@code 2.10 s}. */
    public static String latency(long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, nanos < 100_000 ? "%.1f µs" : "%.0f µs", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private static String micros(double value) {
        return String.format(Locale.ROOT, value < 10 ? "%.2f µs" : "%.1f µs", value);
    }

    private static void field(StringBuilder b, String name, long value) {
        b.append('"').append(name).append("\":").append(value).append(',');
    }

    private static void field(StringBuilder b, String name, String json) {
        b.append('"').append(name).append("\":").append(json).append(',');
    }

    // Nanoseconds as a JSON array of whole microseconds.
    private static String wholeMicros(long[] nanos) {
        StringBuilder b = new StringBuilder(nanos.length * 6).append('[');
        for (long n : nanos) {
            b.append(n / 1_000).append(',');
        }
        b.setLength(b.length() - (nanos.length > 0 ? 1 : 0));
        return b.append(']').toString();
    }

    private static String quoteOrNull(String text) {
        return text == null ? "null" : quote(text);
    }

    private static String orNull(double value) {
        return value < 0 ? "null" : number(value);
    }

    private static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "null";
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    /** {@code text} as a JSON string, quotes and escapes included. */
    public static String quote(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
