package dev.sockit.transport;

import dev.sockit.OutboundLimit;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What other threads (push, broadcast, chat, the heartbeat) have sent one peer and the
 * connection has not yet written: a queue bounded in bytes and messages by an
 * {@link OutboundLimit}, and the one drainer that empties it.
 *
 * <p>Room is reserved atomically, before the item is queued, so concurrent senders never
 * pass the bound together; a sender waiting for room is woken by a real signal whenever the
 * drainer takes an item, never by polling, and every waiter wakes when the outbox closes.
 * Items are whatever the connection queues (messages, encoded control frames); the outbox
 * knows only their lengths, which the caller gives both when offering and when taking.
 */
public final class Outbox {

    /** What became of an offer. */
    public enum Offer {
        /** Queued; a drainer is running or was started. */
        QUEUED,
        /** The outbox is full and the policy says not to wait: nothing was queued. */
        FULL,
        /** The outbox was closed (before or while waiting): nothing was queued. */
        CLOSED
    }

    private final OutboundLimit limit;
    private final Runnable drainer;
    private final String drainerName;
    private final ConcurrentLinkedQueue<Object> items = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    // Senders waiting for room: the drainer takes the lock to signal only when there are some,
    // so the common case (no one waits) costs one volatile read per item taken.
    private final AtomicInteger waiting = new AtomicInteger();
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition room = roomLock.newCondition();
    private volatile boolean closed;
    // When the drainer last took an item while a sender waited: the peer's progress.
    private volatile long lastProgress;
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * @param limit       the bound on what may wait
     * @param drainer     run on a virtual thread of its own whenever items wait and no drainer
     *                    runs; it takes items until {@link #take()} returns null, then calls
     *                    {@link #drained()}
     * @param drainerName the drainer thread's name, for thread dumps
     */
    public Outbox(OutboundLimit limit, Runnable drainer, String drainerName) {
        this.limit = limit;
        this.drainer = drainer;
        this.drainerName = drainerName;
    }

    /**
     * Queues {@code item} of {@code length} encoded bytes if it fits. When it does not, waits
     * for room for at most {@code patienceNanos} without progress — the drainer taking an item
     * is progress and restarts the wait — then refuses it ({@link Offer#FULL}); 0 refuses at
     * once, {@link Long#MAX_VALUE} waits until the outbox closes. One item alone always fits,
     * so a message larger than the byte bound still goes, on its own.
     */
    public Offer offer(Object item, int length, long patienceNanos) {
        while (!reserve(length)) {
            if (closed) {
                return Offer.CLOSED;
            }
            if (patienceNanos <= 0) {
                return Offer.FULL;
            }
            Offer waited = awaitRoom(length, patienceNanos);
            if (waited != null) {
                return waited;
            }
        }
        if (closed) {
            release(length);
            return Offer.CLOSED;
        }
        items.add(item);
        if (!draining.get() && draining.compareAndSet(false, true)) {
            Thread.ofVirtual().name(drainerName).start(drainer);
        }
        return Offer.QUEUED;
    }

    /** Takes room for one item of {@code length} bytes, or nothing; one item alone always fits. */
    private boolean reserve(int length) {
        int before;
        do {
            before = count.get();
            if (before >= limit.maxMessages()) {
                return false;
            }
        } while (!count.compareAndSet(before, before + 1));
        if (before == 0) {
            // Alone in the queue: an item over the byte bound goes on its own rather than never.
            bytes.addAndGet(length);
            return true;
        }
        for (;;) {
            long taken = bytes.get();
            if (taken + length > limit.maxBytes()) {
                count.decrementAndGet();
                signalRoom(false); // our brief reservation may have turned another sender away
                return false;
            }
            if (bytes.compareAndSet(taken, taken + length)) {
                return true;
            }
        }
    }

    /** Waits until an item of {@code length} may fit: null then; else CLOSED, or FULL after the patience without progress. */
    private Offer awaitRoom(int length, long patienceNanos) {
        waiting.incrementAndGet();
        roomLock.lock();
        try {
            long since = System.nanoTime();
            // Checked under the lock after announcing ourselves: a take() between the failed
            // reservation and here either left room we see now, or signals us once we wait.
            while (!closed && !fits(length)) {
                long progressed = Math.max(since, lastProgress);
                long left = patienceNanos == Long.MAX_VALUE ? Long.MAX_VALUE : progressed + patienceNanos - System.nanoTime();
                if (left <= 0) {
                    return Offer.FULL;
                }
                room.awaitNanos(Math.min(left, MAX_WAIT_NANOS)); // the cap is a safety net, never the wake-up
            }
            return closed ? Offer.CLOSED : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Offer.CLOSED;
        } finally {
            roomLock.unlock();
            waiting.decrementAndGet();
        }
    }

    private boolean fits(int length) {
        int queued = count.get();
        return queued == 0 || (queued < limit.maxMessages() && bytes.get() + length <= limit.maxBytes());
    }

    /** The next item for the drainer, or null when none waits. Give its room back with {@link #release}. */
    public Object take() {
        return items.poll();
    }

    /** Gives back the room of one item taken, of {@code length} bytes; wakes a waiting sender. */
    public void release(int length) {
        bytes.addAndGet(-length);
        count.decrementAndGet();
        signalRoom(true);
    }

    private void signalRoom(boolean progress) {
        if (waiting.get() > 0) {
            if (progress) {
                // Only while someone waits is progress worth a clock read: the hot path pays none.
                lastProgress = System.nanoTime();
            }
            roomLock.lock();
            try {
                room.signalAll();
            } finally {
                roomLock.unlock();
            }
        }
    }

    /**
     * The drainer calls this when {@link #take()} returned null: true if it must go on, since
     * an item arrived after its last take and found the drainer still marked running.
     */
    public boolean drained() {
        draining.set(false);
        return !items.isEmpty() && draining.compareAndSet(false, true);
    }

    /** Counts one item that was not queued because the outbox was full (the drop policy). */
    public void countDrop() {
        dropped.incrementAndGet();
    }

    /** Items dropped so far. */
    public long droppedCount() {
        return dropped.get();
    }

    /** Bytes waiting now. */
    public long bytes() {
        return Math.max(0, bytes.get()); // a drainer may give back room after close() zeroed it
    }

    /** Items waiting now. */
    public int count() {
        return Math.max(0, count.get());
    }

    /** Refuses every further offer, forgets what waits, and wakes every waiting sender. */
    public void close() {
        closed = true;
        items.clear();
        bytes.set(0);
        count.set(0);
        roomLock.lock();
        try {
            room.signalAll();
        } finally {
            roomLock.unlock();
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** In words, for the "not reading" close reason. */
    public String describe() {
        return "it took none of the " + bytes() + " bytes in " + count() + " messages waiting for it in "
                + Durations.format(limit.patience()) + " (the outbound limit is " + limit.maxBytes() + " bytes or "
                + limit.maxMessages() + " messages)";
    }
}
