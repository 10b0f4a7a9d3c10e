package dev.sockit.cli.bench;

import java.util.Locale;

/**
 * What one run of connection churn measured: the connections started in the measured window,
 * every one of them either answered or an error.
 *
 * @param settings          what was run ({@code churn} set)
 * @param seconds           the measured window's length
 * @param started           connections started in the window; {@code answered + errors.total()}
 * @param answered          of those, connections whose reply came and verified
 * @param errors            of those, connections that failed, by how
 * @param firstError        how the first failed one failed, or null
 * @param latency           per answered connection, from just before {@code connect} to the reply's newline
 * @param generatorCpuNanos this process's CPU time in the window, or -1
 * @param generatorCpus     the CPUs this process may run on (one when pinned with {@code taskset -c 1})
 * @param serverCpuNanos    the {@code --server-pid} process's CPU time in the window, or -1
 * @param machineBusyNanos  CPU time the whole machine was busy in the window, all CPUs summed, or -1
 * @param stealNanos        CPU time the hypervisor took from this machine in the window, or -1
 */
public record ChurnResult(BenchSettings settings, double seconds, long started, long answered, Errors errors,
        String firstError, BenchResult.Latency latency, long generatorCpuNanos, int generatorCpus, long serverCpuNanos,
        long machineBusyNanos, long stealNanos) {

    /** How a connection failed. */
    public enum ErrorKind {
        /** Nothing listened, or the server's accept queue was full: {@code connect} was refused. */
        REFUSED("refused"),
        /** The server reset the connection before its reply. */
        RESET("reset"),
        /** The server closed the connection before its whole reply came. */
        CLOSED("closed"),
        /** A reply came that is not the one expected (see --mode and --reply). */
        BAD_REPLY("bad reply"),
        /** No reply by {@value ChurnGenerator#STOP_GRACE_MILLIS} ms after the end of the run. */
        UNANSWERED("unanswered"),
        /** No local port was left to connect from (ephemeral ports exhausted). */
        NO_PORT("no local port"),
        /** Anything else, named in the first error. */
        OTHER("other");

        private final String label;

        ErrorKind(String label) {
            this.label = label;
        }

        /** The name in the summary, and with underscores in the JSON. */
        public String label() {
            return label;
        }
    }

    /**
     * Failed connections by {@link ErrorKind}, indexed by ordinal.
     *
     * @param counts one count per kind
     */
    public record Errors(long[] counts) {

        /** How many failed in this way. */
        public long of(ErrorKind kind) {
            return counts[kind.ordinal()];
        }

        /** How many failed in all. */
        public long total() {
            long total = 0;
            for (long count : counts) {
                total += count;
            }
            return total;
        }

        /** The kinds that occurred, with their counts: {@code "3 refused, 1 reset"}; empty when none. */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (ErrorKind kind : ErrorKind.values()) {
                if (of(kind) > 0) {
                    b.append(b.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%,d %s", of(kind), kind.label()));
                }
            }
            return b.toString();
        }
    }

    /** Answered connections per second. */
    public double connectionsPerSecond() {
        return seconds > 0 ? answered / seconds : 0;
    }

    /** This process's CPU microseconds per answered connection, or -1 when unknown. */
    public double generatorMicrosPerConnection() {
        return perConnection(generatorCpuNanos);
    }

    /** The server's CPU microseconds per answered connection, or -1 when not measured. */
    public double serverMicrosPerConnection() {
        return perConnection(serverCpuNanos);
    }

    /** CPUs' worth of time this process took in the window, or -1 if unknown. */
    public double generatorCores() {
        return generatorCpuNanos < 0 || seconds <= 0 ? -1 : generatorCpuNanos / 1e9 / seconds;
    }

    /**
     * True when the generator used {@value BenchResult#SATURATED} or more of the CPUs it may
     * run on: it had little time to spare, and the server may be faster than measured.
     */
    public boolean generatorSaturated() {
        return generatorCores() >= BenchResult.SATURATED * generatorCpus;
    }

    /** CPUs' worth of time other processes took in the window; -1 if unknown. */
    public double otherBusyCores() {
        return ProcessCpu.otherBusyCores(machineBusyNanos, generatorCpuNanos, serverCpuNanos, seconds);
    }

    /** CPUs' worth of time the hypervisor took in the window, or -1 if unknown. */
    public double stealCores() {
        return stealNanos < 0 || seconds <= 0 ? -1 : stealNanos / 1e9 / seconds;
    }

    private double perConnection(long nanos) {
        return nanos < 0 || answered == 0 ? -1 : nanos / 1e3 / answered;
    }
}
