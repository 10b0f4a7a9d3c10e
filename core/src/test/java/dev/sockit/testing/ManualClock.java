package dev.sockit.testing;

import dev.sockit.transport.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that moves only when a test {@link #advance}s it. Tasks fall due as time
 * passes and run on the advancing thread, before {@code advance} returns, so a test can
 * assert what a watchdog did at an exact moment, however slow the machine.
 */
public final class ManualClock implements Clock {

    private record Task(long due, long order, Runnable run, CompletableFuture<Void> future) {}

    private final AtomicLong order = new AtomicLong();
    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.due != b.due
            ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
    private volatile long now = 1_000_000_000L;

    @Override
    public long nanos() {
        return now;
    }

    @Override
    public synchronized Future<?> after(Duration delay, Runnable task) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        tasks.add(new Task(now + delay.toNanos(), order.incrementAndGet(), task, future));
        return future;
    }

    /** Moves time forward by {@code step}, running every task that falls due, in order of due time. */
    public void advance(Duration step) {
        long target;
        synchronized (this) {
            target = now + step.toNanos();
        }
        for (;;) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, next.due);
            }
            if (!next.future.isCancelled()) {
                next.run.run();
                next.future.complete(null);
            }
        }
    }

    /** The tasks still waiting (not cancelled), for a test that asserts nothing is left scheduled. */
    public synchronized List<Duration> pending() {
        List<Duration> left = new ArrayList<>();
        for (Task task : tasks) {
            if (!task.future.isCancelled()) {
                left.add(Duration.ofNanos(task.due - now));
            }
        }
        return left;
    }
}
