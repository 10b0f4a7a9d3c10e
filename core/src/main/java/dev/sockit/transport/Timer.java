package dev.sockit.transport;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Deadlines for blocking socket calls that have no timeout of their own (a channel's connect,
 * read and write): when one passes, its task closes the channel, which wakes the blocked call.
 * One daemon platform thread serves every connection; tasks are tiny and cancelled when the
 * call finishes first.
 *
 * <p>A deadline that becomes the earliest in the queue wakes the timer thread (a futex wake
 * and a context switch on the CPU the connections run on) so that it waits for the new
 * earliest instead. Nearly every deadline is far ahead and cancelled unused: a connection's
 * write timeout's check, 30 s ahead, is armed at its first write and cancelled at its close.
 * While such deadlines come, a keeper task ticks once a second, so that the earliest deadline
 * is never further than a second away and a far one never wakes the thread; with nothing else
 * queued for ten ticks the keeper stops, so an idle process is not woken every second.
 */
public final class Timer {

    private static final ScheduledThreadPoolExecutor SCHEDULER = create();
    private static final long KEEPER_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int KEEPER_IDLE_TICKS = 10;
    private static final AtomicBoolean keeping = new AtomicBoolean();
    private static int idleTicks; // the timer thread's alone

    private Timer() {}

    /** Runs {@code task} once after {@code delay}, unless cancelled first. */
    public static ScheduledFuture<?> after(Duration delay, Runnable task) {
        long nanos = delay.toNanos();
        if (nanos > KEEPER_TICK_NANOS && !keeping.get() && keeping.compareAndSet(false, true)) {
            SCHEDULER.schedule(Timer::keep, KEEPER_TICK_NANOS, TimeUnit.NANOSECONDS);
        }
        return SCHEDULER.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    private static void keep() {
        // The keeper is out of the queue while it runs: anything queued is someone else's deadline.
        if (!SCHEDULER.getQueue().isEmpty()) {
            idleTicks = 0;
        } else if (++idleTicks >= KEEPER_IDLE_TICKS) {
            idleTicks = 0;
            keeping.set(false); // a far deadline armed from here on starts a keeper again
            return;
        }
        // Queued from the timer thread itself, this wakes no one.
        SCHEDULER.schedule(Timer::keep, KEEPER_TICK_NANOS, TimeUnit.NANOSECONDS);
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
