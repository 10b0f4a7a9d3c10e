package dev.sockit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;

/**
 * Turns the records of a bench/broadcast.sh run into its Markdown table: for each push, the
 * time until the median and until the last client had it; over the pushes, their p50, p99
 * and max, per server, and sockit's figures over Netty's.
 *
 * <pre>java -cp ... dev.sockit.bench.Arrivals --skip 5 DIR sockit netty</pre>
 *
 * reads {@code DIR/KIND/*.rec} (each {@link Audience}'s record) and {@code DIR/KIND/server.out}
 * (what {@link FanOut} printed), and leaves the first {@code --skip} pushes out: they time
 * the JIT compiler more than the push. A run of several rounds keeps each in
 * {@code DIR/round-R/KIND}: then each round has its row, and each server a row of the medians
 * over its rounds, which the ratio compares (one round disturbed by a neighbour moves a median
 * less than a mean).
 */
public final class Arrivals {

    private Arrivals() {}

    /**
     * One push, as every client saw it.
     *
     * @param toMedian nanoseconds until half the clients that got it had it
     * @param toLast   nanoseconds until the last client that got it had it
     * @param missing  clients that never got it
     */
    public record PushTimes(long toMedian, long toLast, int missing) {

        /** The times of one push from each client's delay in nanoseconds, -1 for a client it never reached. */
        public static PushTimes of(long[] delays) {
            long[] arrived = Arrays.stream(delays).filter(d -> d >= 0).sorted().toArray();
            int missing = delays.length - arrived.length;
            if (arrived.length == 0) {
                return new PushTimes(-1, -1, missing);
            }
            return new PushTimes(percentile(arrived, 0.5), arrived[arrived.length - 1], missing);
        }
    }

    /** The nearest-rank percentile of sorted values: the smallest value with at least {@code p} of them at or below it. */
    public static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values to take a percentile of");
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    /** Prints the table; exits 2 on bad arguments, 1 when a record cannot be read. */
    public static void main(String[] args) {
        if (args.length < 4 || !args[0].equals("--skip")) {
            System.err.println("usage: Arrivals --skip N DIR KIND...   e.g. Arrivals --skip 5 /tmp/run sockit netty");
            System.exit(2);
        }
        int skip = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        List<String> kinds = List.of(args).subList(3, args.length);
        // rows: every row printed; compared: one per server, the two the ratio rows divide.
        List<Row> rows = new ArrayList<>(), compared = new ArrayList<>();
        try {
            List<Path> rounds = rounds(dir);
            for (String kind : kinds) {
                if (rounds.isEmpty()) {
                    compared.add(Row.read(kind, dir.resolve(kind), skip));
                    rows.add(compared.getLast());
                    continue;
                }
                List<Row> each = new ArrayList<>();
                for (Path round : rounds) {
                    if (Files.isDirectory(round.resolve(kind))) {
                        String label = rounds.size() == 1 ? kind : kind + ", " + round.getFileName().toString().replace('-', ' ');
                        each.add(Row.read(label, round.resolve(kind), skip));
                    }
                }
                if (each.isEmpty()) {
                    throw new IOException("no round ran " + kind);
                }
                rows.addAll(each);
                compared.add(Row.median(kind + ", median of " + each.size() + (each.size() == 1 ? " round" : " rounds"), each));
                if (each.size() > 1) {
                    rows.add(compared.getLast());
                }
            }
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            System.err.println("Arrivals: cannot read the records in " + dir + ": " + e.getMessage());
            System.exit(1);
        }
        System.out.println("| server | clients | pushes timed | to the median client: p50 | p99 | max"
                + " | to the last client: p50 | p99 | max | first push (cold): to the last | arrivals missing"
                + " | pushes still arriving when the next began |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row row : rows) {
            System.out.println(row.times());
        }
        String versus = compared.size() == 2 ? kinds.get(0) + " ÷ " + kinds.get(1)
                + (rows.size() > compared.size() ? " (medians)" : "") : null;
        if (versus != null) {
            Row a = compared.get(0), b = compared.get(1);
            System.out.println("| " + versus + " | | | " + ratio(a.median[0], b.median[0]) + " | "
                    + ratio(a.median[1], b.median[1]) + " | " + ratio(a.median[2], b.median[2]) + " | "
                    + ratio(a.last[0], b.last[0]) + " | " + ratio(a.last[1], b.last[1]) + " | " + ratio(a.last[2], b.last[2])
                    + " | " + ratio(a.cold, b.cold) + " | | |");
        }
        System.out.println();
        System.out.println("What a push cost, means over the timed pushes:");
        System.out.println();
        System.out.println("| server | push call returned (p50) | server CPU per push | its CPU per push: user | system"
                + " | interrupts | clients' CPU per push | client reads per wake-up |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Row row : rows) {
            System.out.println(row.costs());
        }
        if (versus != null) {
            Row a = compared.get(0), b = compared.get(1);
            System.out.println("| " + versus + " | " + ratio(a.call, b.call) + " | " + ratio(a.cpu, b.cpu) + " | "
                    + ratio(a.split[0], b.split[0]) + " | " + ratio(a.split[1], b.split[1]) + " | "
                    + ratio(a.split[2], b.split[2]) + " | " + ratio(a.clientCpu, b.clientCpu) + " | |");
        }
    }

    /**
     * One server's figures, in nanoseconds: the arrays hold p50, p99 and max over the pushes
     * timed; {@code call} is the p50 of how long the push call took, {@code cpu} the server's
     * mean CPU time per push, {@code split} the mean time per push of the one CPU the server ran
     * on, in user code, in system calls and in interrupts (where loopback delivers what the
     * server writes; in {@code cpu} as well), each -1 when {@link FanOut} printed no ticks,
     * {@code clientCpu} the clients' (all processes together), and {@code readsPerWakeUp} how
     * many connections had input each time a client's selector woke.
     */
    private record Row(String kind, int clients, int timed, int overlapped, long missing, long[] median, long[] last,
            long cold, long call, long cpu, long[] split, long clientCpu, double readsPerWakeUp) {

        static Row read(String kind, Path dir, int skip) throws IOException {
            List<long[][]> records = new ArrayList<>();
            long clientCpu = 0, reads = 0, wakeUps = 0;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".rec")).sorted().toList()) {
                    AudienceRecord record = AudienceRecord.read(file);
                    records.add(record.delays());
                    clientCpu += Math.max(0, record.cpu());
                    reads += record.reads();
                    wakeUps += record.wakeUps();
                }
            }
            if (records.isEmpty()) {
                throw new IOException("no .rec files in " + dir);
            }
            int pushes = records.getFirst().length;
            int clients = records.stream().mapToInt(r -> r[0].length).sum();
            if (pushes <= skip) {
                throw new IllegalArgumentException(pushes + " pushes recorded, not more than the " + skip + " to skip");
            }
            List<PushTimes> times = new ArrayList<>();
            for (int push = 0; push < pushes; push++) {
                long[] all = new long[clients];
                int at = 0;
                for (long[][] record : records) {
                    System.arraycopy(record[push], 0, all, at, record[push].length);
                    at += record[push].length;
                }
                times.add(PushTimes.of(all));
            }
            List<PushTimes> timed = times.subList(skip, pushes);
            // CPU time used so far at the start of each push, and at the end.
            long[] calls = new long[pushes], cpus = new long[pushes + 1], starts = new long[pushes];
            // The server's CPU's ticks (user, system, interrupts) as the first timed push began and after the last.
            long[] ticksFrom = null, ticksTo = null;
            for (String line : Files.readAllLines(dir.resolve("server.out"))) {
                String[] f = line.split(" ");
                if (f[0].equals("ticks") && f.length == 6) {
                    int seq = Integer.parseInt(f[1]);
                    long[] ticks = {Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])};
                    if (seq == skip) {
                        ticksFrom = ticks;
                    } else if (seq == pushes) {
                        ticksTo = ticks;
                    }
                } else if (f[0].equals("push") && Integer.parseInt(f[1]) < pushes) {
                    calls[Integer.parseInt(f[1])] = Long.parseLong(f[2]);
                    cpus[Integer.parseInt(f[1])] = Long.parseLong(f[3]);
                    starts[Integer.parseInt(f[1])] = Long.parseLong(f[4]);
                } else if (f[0].equals("cpu")) {
                    cpus[pushes] = Long.parseLong(f[1]);
                }
            }
            // A push still arriving when the next began shares the clients and the server with
            // it: both are then timed slower than either alone. The pause should prevent that.
            int overlapped = 0;
            for (int push = skip; push < pushes - 1; push++) {
                if (times.get(push).toLast() > starts[push + 1] - starts[push]) {
                    overlapped++;
                }
            }
            return new Row(kind, clients, timed.size(), overlapped, timed.stream().mapToLong(PushTimes::missing).sum(),
                    summary(timed.stream().mapToLong(PushTimes::toMedian).toArray()),
                    summary(timed.stream().mapToLong(PushTimes::toLast).toArray()), times.getFirst().toLast(),
                    summary(Arrays.copyOfRange(calls, skip, pushes))[0], (cpus[pushes] - cpus[skip]) / timed.size(),
                    split(ticksFrom, ticksTo, timed.size()), clientCpu / pushes, wakeUps == 0 ? 0 : (double) reads / wakeUps);
        }

        // Ticks of 1/100 s between two readings, as nanoseconds per push; -1 each without both readings.
        private static long[] split(long[] from, long[] to, int pushes) {
            long[] split = {-1, -1, -1};
            for (int i = 0; from != null && to != null && i < 3; i++) {
                split[i] = (to[i] - from[i]) * 10_000_000L / pushes;
            }
            return split;
        }

        /**
         * The medians, figure by figure, of one server's rounds (each figure's own median: the
         * row may mix rounds). Counts of pushes that went wrong are added up instead.
         */
        static Row median(String label, List<Row> rounds) {
            Row first = rounds.getFirst();
            long[] median = new long[3], last = new long[3];
            for (int i = 0; i < 3; i++) {
                int at = i;
                median[i] = Math.round(middle(rounds.stream().mapToDouble(r -> r.median[at])));
                last[i] = Math.round(middle(rounds.stream().mapToDouble(r -> r.last[at])));
            }
            return new Row(label, first.clients, first.timed, rounds.stream().mapToInt(Row::overlapped).sum(),
                    rounds.stream().mapToLong(Row::missing).sum(), median, last,
                    Math.round(middle(rounds.stream().mapToDouble(Row::cold))),
                    Math.round(middle(rounds.stream().mapToDouble(Row::call))),
                    Math.round(middle(rounds.stream().mapToDouble(Row::cpu))),
                    new long[] {Math.round(middle(rounds.stream().mapToDouble(r -> r.split[0]))),
                        Math.round(middle(rounds.stream().mapToDouble(r -> r.split[1]))),
                        Math.round(middle(rounds.stream().mapToDouble(r -> r.split[2])))},
                    Math.round(middle(rounds.stream().mapToDouble(Row::clientCpu))),
                    middle(rounds.stream().mapToDouble(Row::readsPerWakeUp)));
        }

        // The median; of an even number, the mean of the middle two.
        private static double middle(DoubleStream values) {
            double[] sorted = values.sorted().toArray();
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        private static long[] summary(long[] values) {
            long[] sorted = values.clone();
            Arrays.sort(sorted);
            return new long[] {percentile(sorted, 0.5), percentile(sorted, 0.99), sorted[sorted.length - 1]};
        }

        String times() {
            return String.format(Locale.ROOT, "| %s | %,d | %d | %s | %s | %s | **%s** | **%s** | %s | %s | %,d | %d |", kind,
                    clients, timed, ms(median[0]), ms(median[1]), ms(median[2]), ms(last[0]), ms(last[1]), ms(last[2]),
                    ms(cold), missing, overlapped);
        }

        String costs() {
            return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %.1f |", kind, ms(call), ms(cpu),
                    ms(split[0]), ms(split[1]), ms(split[2]), ms(clientCpu), readsPerWakeUp);
        }
    }

    /**
     * What one {@link Audience} recorded: delays {@code [push][connection]}; its CPU time
     * reading them; its reads and the selector wake-ups that found something to read.
     */
    private record AudienceRecord(long[][] delays, long cpu, long reads, long wakeUps) {

        /**
         * Reads a header line {@code pushes P connections K cpu NANOS reads R wakeups W}, then
         * one line of delays per push.
         */
        static AudienceRecord read(Path file) throws IOException {
            List<String> lines = Files.readAllLines(file);
            String[] header = lines.getFirst().split(" ");
            int pushes = Integer.parseInt(header[1]), connections = Integer.parseInt(header[3]);
            long[][] delays = new long[pushes][];
            for (int push = 0; push < pushes; push++) {
                delays[push] = Arrays.stream(lines.get(push + 1).split(" ")).mapToLong(Long::parseLong).toArray();
                if (delays[push].length != connections) {
                    throw new IOException(file + ", push " + push + ": " + delays[push].length + " delays for "
                            + connections + " connections");
                }
            }
            return new AudienceRecord(delays, Long.parseLong(header[5]), Long.parseLong(header[7]), Long.parseLong(header[9]));
        }
    }

    /** {@return the round directories {@code round-1, round-2, ...} in {@code dir}, in order}; none for a run of one. */
    static List<Path> rounds(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Files.isDirectory(p) && p.getFileName().toString().matches("round-\\d+"))
                    .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(6))))
                    .toList();
        }
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "–" : String.format(Locale.ROOT, nanos < 10_000_000 ? "%.2f ms" : "%.1f ms", nanos / 1e6);
    }

    private static String ratio(long a, long b) {
        return a <= 0 || b <= 0 ? "–" : String.format(Locale.ROOT, "%.2f×", (double) a / b);
    }
}
