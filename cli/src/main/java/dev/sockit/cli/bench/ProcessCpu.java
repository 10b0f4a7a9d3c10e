package dev.sockit.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of whole processes, user plus system: this one through the JVM, another through
 * Linux's {@code /proc/PID/stat}. Used to say what a message costs the load generator and
 * the server, so that a figure can be read as "server-bound" or "generator-bound".
 */
final class ProcessCpu {

    // /proc reports clock ticks of USER_HZ, which Linux fixes at 100 for user space on every
    // architecture sockit runs on; getconf CLK_TCK says so too.
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessCpu() {}

    /** This process's CPU time in nanoseconds, or -1 if neither the JVM nor /proc tells. */
    static long own() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            if (nanos >= 0) {
                return nanos;
            }
        }
        try {
            return of(ProcessHandle.current().pid());
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * CPU time the whole machine spent busy, all CPUs summed, in nanoseconds: user, nice and
     * system time from {@code /proc/stat}. Subtracting this process and the server leaves what
     * other processes took, which on a shared machine is the noise in a figure. Interrupt
     * time is left out: the kernel may account the loopback traffic of the run there rather
     * than to either process. -1 where there is no /proc.
     */
    static long machineBusy() {
        long[] cpu = machineTicks();
        return cpu == null ? -1 : (cpu[0] + cpu[1] + cpu[2]) * NANOS_PER_TICK;
    }

    /** Time the hypervisor ran something else instead of this machine, all CPUs summed; -1 if unknown. */
    static long machineSteal() {
        long[] cpu = machineTicks();
        return cpu == null || cpu.length < 8 ? -1 : cpu[7] * NANOS_PER_TICK;
    }

    // The first line of /proc/stat: "cpu  user nice system idle iowait irq softirq steal ...".
    private static long[] machineTicks() {
        try {
            String first = Files.readString(Path.of("/proc/stat")).lines().findFirst().orElse("");
            String[] fields = first.trim().split("\\s+");
            long[] ticks = new long[fields.length - 1];
            for (int i = 1; i < fields.length; i++) {
                ticks[i - 1] = Long.parseLong(fields[i]);
            }
            return ticks;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The CPU time of process {@code pid} in nanoseconds, at 10 ms resolution.
     *
     * @throws IOException when there is no such process on this machine or /proc is missing
     */
    static long of(long pid) throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            throw new IOException("cannot read the CPU time of process " + pid + " (is it running on this machine? /proc/"
                    + pid + "/stat: " + e.getMessage() + ")", e);
        }
        // The command name, in parentheses, may hold spaces: count fields after its closing one.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) * NANOS_PER_TICK;
    }

    /**
     * The CPU time of the server under load, process {@code pid}, or -1 when no pid was given
     * ({@code pid <= 0}) or it cannot be read: a server that died shows in the run's errors,
     * and a report leaves out a figure it cannot compute.
     */
    static long ofServer(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            return of(pid);
        } catch (IOException e) {
            return -1;
        }
    }

    /** {@code after - before}, or -1 when either reading is unknown (-1). */
    static long delta(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    /**
     * CPUs' worth of time other processes took in a window of {@code seconds}: the machine's
     * busy time less the generator's and the server's (when known). -1 if unknown.
     */
    static double otherBusyCores(long machineBusyNanos, long generatorCpuNanos, long serverCpuNanos, double seconds) {
        if (machineBusyNanos < 0 || generatorCpuNanos < 0 || seconds <= 0) {
            return -1;
        }
        long others = machineBusyNanos - generatorCpuNanos - Math.max(0, serverCpuNanos);
        return Math.max(0, others) / 1e9 / seconds;
    }
}
