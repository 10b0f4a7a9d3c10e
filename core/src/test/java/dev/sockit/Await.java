package dev.sockit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, never for a fixed time. */
final class Await {

    private Await() {}

    static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up after 5 s waiting until " + what);
            }
            // A poll interval, not a wait for the condition: the deadline above is what bounds the test.
            LockSupport.parkNanos(1_000_000);
        }
    }
}
