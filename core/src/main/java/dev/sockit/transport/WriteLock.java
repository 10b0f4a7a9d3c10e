package dev.sockit.transport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * A reentrant lock that its subclass is, rather than holds: {@link Output}, whose write buffer
 * and socket writes it guards. A {@link java.util.concurrent.locks.ReentrantLock} beside the
 * output is two objects more (48 bytes) for every connection, idle ones included; so, as the
 * JDK's {@code ThreadPoolExecutor.Worker} does, the output extends the synchronizer itself.
 * The lock is the {@code ReentrantLock}'s, without fairness or conditions: the holder may take
 * it again, and must release it as often.
 */
abstract class WriteLock extends AbstractQueuedSynchronizer {

    /** Takes the lock, waiting as long as another thread holds it. */
    final void lock() {
        acquire(1);
    }

    /** Takes the lock, waiting at most {@code millis}; false when another thread held it all that time. */
    final boolean tryLock(long millis) throws InterruptedException {
        return tryAcquireNanos(1, TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** Takes the lock if no other thread holds it, without waiting. */
    final boolean tryLockNow() {
        return tryAcquire(1);
    }

    final void unlock() {
        release(1);
    }

    @Override
    protected final boolean tryAcquire(int times) {
        Thread me = Thread.currentThread();
        int held = getState();
        if (held == 0) {
            if (compareAndSetState(0, times)) {
                setExclusiveOwnerThread(me);
                return true;
            }
        } else if (getExclusiveOwnerThread() == me) {
            setState(held + times);
            return true;
        }
        return false;
    }

    @Override
    protected final boolean tryRelease(int times) {
        if (getExclusiveOwnerThread() != Thread.currentThread()) {
            throw new IllegalMonitorStateException("the write lock is released by a thread that does not hold it");
        }
        int held = getState() - times;
        boolean free = held == 0;
        if (free) {
            setExclusiveOwnerThread(null);
        }
        setState(held);
        return free;
    }

    @Override
    protected final boolean isHeldExclusively() {
        return getExclusiveOwnerThread() == Thread.currentThread();
    }
}
