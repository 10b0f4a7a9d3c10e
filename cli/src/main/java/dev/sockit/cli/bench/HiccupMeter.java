package dev.sockit.cli.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The generator's own stalls, measured apart from any server: a platform thread that sleeps
 * 1 ms over and over and records how late it wakes (jHiccup's idea). A pause of the whole
 * generator process (its garbage collector, a safepoint, its CPU taken by another process or
 * by the hypervisor) delays this thread as it delays the event loops, so a reply that is late
 * by as much as the longest hiccup may be the generator's delay, not the server's. A thread of
 * the generator itself keeping the loops off the CPU (its JIT compiler, say) is not seen here:
 * a thread waking from sleep is run first. The loops' own lateness in releasing due requests
 * ({@link EventLoop}'s schedule lag) sees that too.
 *
 * <p>Started once the connections are open and stopped when the run ends; it records only in
 * the measured window, and keeps only the longest wake-up.
 */
final class HiccupMeter implements Runnable {

    static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Timeline timeline;
    private final Thread thread;
    private volatile long longest = -1;
    private volatile boolean stopped;

    private HiccupMeter(Timeline timeline) {
        this.timeline = timeline;
        this.thread = Thread.ofPlatform().daemon().name("sockit-bench-hiccups").unstarted(this);
    }

    /** A meter already running for {@code timeline}. */
    static HiccupMeter start(Timeline timeline) {
        HiccupMeter meter = new HiccupMeter(timeline);
        meter.thread.start();
        return meter;
    }

    @Override
    public void run() {
        long worst = -1;
        for (long before = System.nanoTime(); before < timeline.endAt() && !stopped; ) {
            LockSupport.parkNanos(SLEEP_NANOS);
            long after = System.nanoTime();
            // Only wake-ups that begin in the measured window; a sleep that straddles its start counts.
            if (after >= timeline.measureAt()) {
                worst = Math.max(worst, Math.max(0, after - before - SLEEP_NANOS));
                longest = worst;
            }
            before = after;
        }
    }

    /**
     * Stops the meter (within a sleep) and returns its longest overshoot in nanoseconds in the
     * measured window, -1 if it woke none there.
     */
    long stop() throws InterruptedException {
        stopped = true;
        thread.join(1_000);
        return longest;
    }
}
