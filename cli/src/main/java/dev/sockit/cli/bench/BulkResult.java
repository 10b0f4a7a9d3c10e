package dev.sockit.cli.bench;

/**
 * What one bulk transfer to a discard server measured, in the measured window only.
 *
 * @param settings          what was run ({@link Mode#DISCARD})
 * @param seconds           the measured window's length
 * @param bytes             bytes the server's socket took from the writers in the window
 * @param lostConnections   connections that broke or that the server closed during the run
 * @param firstError        how the first lost connection broke, or null
 * @param serverSaid        the first line a server sent back, which a discard server never does
 *                          (a lines server's "line too long" error, say), or null
 * @param generatorCpuNanos this process's CPU time in the window, or -1
 * @param busiestWriter     the busiest writer thread's CPU share of the window, 0 to 1, or -1
 * @param serverCpuNanos    the {@code --server-pid} process's CPU time in the window, or -1
 * @param machineBusyNanos  CPU time the whole machine was busy in the window, all CPUs summed, or -1
 * @param stealNanos        CPU time the hypervisor took from this machine in the window, or -1
 */
public record BulkResult(BenchSettings settings, double seconds, long bytes, long lostConnections, String firstError,
        String serverSaid, long generatorCpuNanos, double busiestWriter, long serverCpuNanos, long machineBusyNanos,
        long stealNanos) {

    /** Throughput in gigabits (10^9 bits) per second, as iperf3 reports it. */
    public double gigabitsPerSecond() {
        return seconds > 0 ? bytes * 8 / seconds / 1e9 : 0;
    }

    /** Throughput in megabytes (10^6 bytes) per second. */
    public double megabytesPerSecond() {
        return seconds > 0 ? bytes / seconds / 1e6 : 0;
    }

    /** Errors: lost connections, and a server that answered at all. */
    public long errors() {
        return lostConnections + (serverSaid != null ? 1 : 0);
    }

    /**
     * True when a writer thread was busier than {@value BenchResult#SATURATED} of the window:
     * the generator had little time to spare and may have been the limit. On loopback a
     * writer's CPU time includes the kernel's work of carrying its bytes to the server's socket.
     */
    public boolean generatorSaturated() {
        return busiestWriter >= BenchResult.SATURATED;
    }

    /** CPUs' worth of time this process took in the window, or -1 if unknown. */
    public double generatorCores() {
        return cores(generatorCpuNanos);
    }

    /** CPUs' worth of time the {@code --server-pid} process took in the window, or -1 when not measured. */
    public double serverCores() {
        return cores(serverCpuNanos);
    }

    /** The server's CPU time per gigabyte (10^9 bytes) taken, in milliseconds, or -1 when not measured. */
    public double serverMillisPerGigabyte() {
        return serverCpuNanos < 0 || bytes == 0 ? -1 : serverCpuNanos / 1e6 / (bytes / 1e9);
    }

    /**
     * CPUs' worth of time other processes on this machine took during the window: busy time
     * less this process and the server. Near 0 on a quiet machine; -1 if unknown.
     */
    public double otherBusyCores() {
        return ProcessCpu.otherBusyCores(machineBusyNanos, generatorCpuNanos, serverCpuNanos, seconds);
    }

    /** CPUs' worth of time the hypervisor took in the window, or -1 if unknown. */
    public double stealCores() {
        return cores(stealNanos);
    }

    private double cores(long nanos) {
        return nanos < 0 || seconds <= 0 ? -1 : nanos / 1e9 / seconds;
    }
}
