package dev.sockit.transport;

import java.time.Duration;
import java.util.concurrent.Future;

/**
 * The time a connection's watchdogs (heartbeat, idle timeout, write timeout) read and
 * schedule on. {@link #SYSTEM} is {@link System#nanoTime()} and the shared {@link Timer}
 * thread; tests pass a clock they advance by hand, so that a watchdog is tested by moving
 * time, not by waiting for it. The hot path's own pacing (the spin, the quiet buffer) reads
 * {@code System.nanoTime()} directly: it measures the machine, not a deadline.
 */
public interface Clock {

    /** Monotonic nanoseconds, like {@link System#nanoTime()}. */
    long nanos();

    /** Runs {@code task} once after {@code delay} of this clock's time, unless cancelled first. */
    Future<?> after(Duration delay, Runnable task);

    /** Wall-clock deadlines on the shared timer thread. */
    Clock SYSTEM = new Clock() {
        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public Future<?> after(Duration delay, Runnable task) {
            return Timer.after(delay, task);
        }

        @Override
        public String toString() {
            return "system clock";
        }
    };
}
