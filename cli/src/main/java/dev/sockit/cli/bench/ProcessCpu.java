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
}
