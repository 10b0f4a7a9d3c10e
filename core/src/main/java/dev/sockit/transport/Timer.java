package dev.sockit.transport;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines for blocking socket calls that have no timeout of their own (a channel's connect,
 * read and write): when one passes, its task closes the channel, which wakes the blocked call.
 * One daemon platform thread serves every connection; tasks are tiny and cancelled when the
 * call finishes first.
 */
public final class Timer {

    private static final ScheduledThreadPoolExecutor SCHEDULER = create();

    private Timer() {}

    /** Runs {@code task} once after {@code delay}, unless cancelled first. */
    public static ScheduledFuture<?> after(Duration delay, Runnable task) {
        return SCHEDULER.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("sockit-timer").daemon(true).factory());
        // Most deadlines are cancelled because the call finished in time: drop them at once
        // rather than keep them queued until they would have fired.
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }
}
