package dev.sockit.cli.bench;

/**
 * What one load run measured, in the measured window only (the warmup is not counted).
 *
 * @param settings           what was run
 * @param seconds            the measured window's length
 * @param messages           replies received in the window, good or bad
 * @param bytesSent          request bytes written in the window
 * @param bytesReceived      reply bytes read in the window
 * @param latency            reply latency in nanoseconds; in open loop, from when the request was due
 * @param badReplies         replies that failed verification
 * @param unexpectedReplies  lines that answered no request
 * @param lostConnections    connections the server closed or broke during the run
 * @param firstError         what the first error looked like, or null
 * @param generatorCpuNanos  this process's CPU time in the window, or -1
 * @param generatorWorkNanos busy polling: time the loops spent handling messages, polling excluded; else -1
 * @param busiestLoop        the busiest event loop thread's CPU share of the window (busy polling: its
 *                           share spent handling messages), 0 to 1, or -1
 * @param serverCpuNanos     the {@code --server-pid} process's CPU time in the window, or -1
 * @param scheduleLagNanos   open loop: how late, on average, the generator released requests that
 *                           were due, a sign of the generator itself falling behind; -1 in closed loop
 * @param machineBusyNanos   CPU time the whole machine was busy in the window, all CPUs summed, or -1
 * @param stealNanos         CPU time the hypervisor took from this machine in the window, or -1
 * @param datagrams          UDP: requests sent, answered, lost and answered late; null over a stream
 * @param stalls             the generator's own stalls, and where in the run the longest replies came
 */
public record BenchResult(BenchSettings settings, double seconds, long messages, long bytesSent, long bytesReceived,
        Latency latency, long badReplies, long unexpectedReplies, long lostConnections, String firstError,
        long generatorCpuNanos, long generatorWorkNanos, double busiestLoop, long serverCpuNanos, double scheduleLagNanos,
        long machineBusyNanos, long stealNanos, Datagrams datagrams, Stalls stalls) {

    /** A loop thread busier than this may itself have limited the rate: it had little time to spare. */
    public static final double SATURATED = 0.90;

    /** Open loop: releasing due requests later than this on average means the generator fell behind. */
    public static final double LATE_NANOS = 1e6;

    /**
     * Latency percentiles in nanoseconds.
     *
     * @param count how many replies were timed
     */
    public record Latency(long count, double mean, long p50, long p90, long p99, long p999, long max) {}

    /**
     * What happened to UDP requests in the measured window. A request is lost when no reply
     * came within {@code --loss-timeout}; a reply that comes after that is late, and is not
     * counted as received.
     *
     * @param sent     requests sent
     * @param received replies matched to a request, good or bad (the same as {@code messages})
     * @param lost     requests declared lost
     * @param late     replies that came after their request was declared lost (in ack mode,
     *                 replies that came with no request waiting; see {@link DatagramLoadConnection})
     */
    public record Datagrams(long sent, long received, long lost, long late) {

        /** Lost requests as a percentage of those settled, answered or lost; 0 when none were. */
        public double lossPercent() {
            long settled = received + lost;
            return settled == 0 ? 0 : 100.0 * lost / settled;
        }
    }

    /**
     * The generator's own stalls, to tell a pause of the generator from one of the server: a
     * reply late by no more than the generator stalled may be late for the generator's sake.
     * And where in the run the longest replies came, in slots of the timeline from the start
     * of the warmup, so that a pause is placed (at the start of measuring? the end?).
     *
     * @param hiccupNanos   the longest the generator's 1 ms sleeper woke late in the measured window
     *                      ({@link HiccupMeter}): a pause of the whole generator process; -1 if unknown
     * @param lagMaxNanos   open loop: the longest a due request waited for the generator to release it
     *                      in the measured window, a pause of the loop itself whatever its cause; -1 in
     *                      closed loop
     * @param slotNanos     how long one slot is
     * @param measureSlot   the first slot of the measured window; those before it are the warmup's
     * @param latencyBySlot per slot, the longest latency of a reply that came in it, 0 for none
     * @param lagBySlot     open loop: per slot, the longest a request released in it had waited; null in
     *                      closed loop
     */
    public record Stalls(long hiccupNanos, long lagMaxNanos, long slotNanos, int measureSlot, long[] latencyBySlot,
            long[] lagBySlot) {}

    /** Replies per second. */
    public double messagesPerSecond() {
        return seconds > 0 ? messages / seconds : 0;
    }

    /** Request megabytes (10^6) per second. */
    public double megabytesSentPerSecond() {
        return seconds > 0 ? bytesSent / seconds / 1e6 : 0;
    }

    /** Reply megabytes (10^6) per second. */
    public double megabytesReceivedPerSecond() {
        return seconds > 0 ? bytesReceived / seconds / 1e6 : 0;
    }

    /** All errors: bad replies, lines answering nothing and lost connections. */
    public long errors() {
        return badReplies + unexpectedReplies + lostConnections;
    }

    /**
     * This process's CPU microseconds per reply, or -1 when unknown. When busy polling, the
     * time its loops spent handling messages instead, since polling fills the rest.
     */
    public double generatorMicrosPerMessage() {
        return perMessage(settings.busyPoll() ? generatorWorkNanos : generatorCpuNanos);
    }

    /** The server's CPU microseconds per reply, or -1 when not measured. */
    public double serverMicrosPerMessage() {
        return perMessage(serverCpuNanos);
    }

    /**
     * True when the load generator may have been the limit. In closed loop: a loop thread was
     * busier than {@value #SATURATED} of the time. In open loop a loop thread polls between
     * sends less than a millisecond apart, so busy says nothing; instead: due requests were
     * released more than {@link #LATE_NANOS} late on average.
     */
    public boolean generatorSaturated() {
        if (settings.openLoop()) {
            return scheduleLagNanos > LATE_NANOS;
        }
        return busiestLoop >= SATURATED;
    }

    /**
     * How many CPUs' worth of time other processes on this machine took during the window:
     * busy time less this process and the {@code --server-pid} process. Near 0 on a quiet
     * machine; a figure measured beside a busy neighbour is not worth much. -1 if unknown.
     */
    public double otherBusyCores() {
        return ProcessCpu.otherBusyCores(machineBusyNanos, generatorCpuNanos, serverCpuNanos, seconds);
    }

    /** CPUs' worth of time the hypervisor took in the window, or -1 if unknown. */
    public double stealCores() {
        return stealNanos < 0 || seconds <= 0 ? -1 : stealNanos / 1e9 / seconds;
    }

    private double perMessage(long nanos) {
        return nanos < 0 || messages == 0 ? -1 : nanos / 1e3 / messages;
    }
}
