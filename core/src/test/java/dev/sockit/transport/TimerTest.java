package dev.sockit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Deadlines fire when due, and the far ones that are nearly always cancelled unused (a
 * connection's write timeout's check, armed per connection) do not wake the timer thread:
 * each such wake is a context switch on the CPU the connections run on.
 */
class TimerTest {

    @Test
    void aDeadlineFiresWhenDueAndACancelledOneNever() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        CountDownLatch cancelledFired = new CountDownLatch(1);
        long start = System.nanoTime();
        Future<?> cancelled = Timer.after(Duration.ofMillis(50), cancelledFired::countDown);
        Timer.after(Duration.ofMillis(100), fired::countDown);
        cancelled.cancel(false);
        assertThat(fired.await(10, TimeUnit.SECONDS)).as("the deadline fired").isTrue();
        assertThat(System.nanoTime() - start).as("not before it was due").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(cancelledFired.getCount()).as("the cancelled deadline never ran").isEqualTo(1);
    }

    @Test
    void farDeadlinesArmedAndCancelledDoNotWakeTheTimerThread() throws Exception {
        Timer.after(Duration.ZERO, () -> { }).get(10, TimeUnit.SECONDS); // the thread exists
        Path timer = timerThread();
        assumeTrue(timer != null, "Linux only: reads the timer thread's context switches from /proc/self/task");
        int deadlines = 500;
        long before = contextSwitches(timer);
        List<Future<?>> armed = new ArrayList<>();
        for (int i = 0; i < deadlines; i++) {
            Future<?> check = Timer.after(Duration.ofSeconds(30), () -> { });
            // Pacing, not a wait for a condition: deadlines come apart, as connections do, so that
            // without the keeper each one finds the timer thread waiting again and wakes it;
            // armed back to back, the wake-ups would merge and the test could not fail.
            Thread.sleep(0, 100_000);
            check.cancel(false);
            armed.add(check);
        }
        long woken = contextSwitches(timer) - before;
        // Without the keeper each one woke it: about 500 here. A few are other tests' deadlines.
        assertThat(woken).as("the timer thread's context switches over %d far deadlines", deadlines)
                .isLessThan(deadlines / 10);
        assertThat(armed).allMatch(Future::isCancelled);
    }

    private static Path timerThread() throws Exception {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return null;
        }
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                if (Files.readString(thread.resolve("comm")).strip().equals("sockit-timer")) {
                    return thread;
                }
            }
        }
        return null;
    }

    private static long contextSwitches(Path thread) throws Exception {
        long switches = 0;
        for (String line : Files.readAllLines(thread.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                switches += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return switches;
    }
}
