package dev.sockit.transport;

import dev.sockit.OutboundLimit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

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
 *
 * <p>A connection's is made by its first push ({@code Pusher}), and most never have anything
 * pushed to them; an outbox that was never offered anything is one small object (its
 * counters are fields, its queue is made by the first offer, its waiters wait on its monitor,
 * its drainer's name is made when the first drainer starts), about 250 bytes less per idle
 * connection than with atomics, a lock and a queue of its own (docs/performance.md, "Idle
 * connections").
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

    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final VarHandle ITEMS;
    private static final VarHandle BYTES;
    private static final VarHandle COUNT;
    private static final VarHandle DRAINING;
    private static final VarHandle DROPPED;
    private static final VarHandle WAITING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ITEMS = lookup.findVarHandle(Outbox.class, "items", ConcurrentLinkedQueue.class);
            BYTES = lookup.findVarHandle(Outbox.class, "bytes", long.class);
            COUNT = lookup.findVarHandle(Outbox.class, "count", int.class);
            DRAINING = lookup.findVarHandle(Outbox.class, "draining", boolean.class);
            DROPPED = lookup.findVarHandle(Outbox.class, "dropped", long.class);
            WAITING = lookup.findVarHandle(Outbox.class, "waiting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final OutboundLimit limit;
    private final Runnable drainer;
    private final String drainerPrefix;
    private final long drainerId;
    // Made when the first drainer starts and kept: a connection that is pushed to starts a
    // drainer for nearly every push, and a name made each time was 64 bytes per recipient of
    // every broadcast (docs/performance.md, "Broadcast fan-out").
    private String drainerName;
    // Made by the first offer (ITEMS); null while nothing was ever offered.
    private volatile ConcurrentLinkedQueue<Object> items;
    private volatile long bytes;
    private volatile int count;
    private volatile boolean draining;
    private volatile long dropped;
    // Senders waiting for room: the drainer takes the monitor to signal only when there are
    // some, so the common case (no one waits) costs one volatile read per item taken.
    private volatile int waiting;
    private volatile boolean closed;
    // When the drainer last took an item while a sender waited: the peer's progress.
    private volatile long lastProgress;

    /**
     * @param limit       the bound on what may wait
     * @param drainer     run on a virtual thread of its own whenever items wait and no drainer
     *                    runs; it takes items until {@link #take()} returns null, then calls
     *                    {@link #drained()}
     * @param drainerName the drainer thread's name, for thread dumps
     */
    public Outbox(OutboundLimit limit, Runnable drainer, String drainerName) {
        this(limit, drainer, drainerName, -1);
    }

    /**
     * An outbox whose drainer threads are named {@code drainerPrefix + drainerId} (made only
     * when one starts), as a connection's are: {@code sockit-push-ID}.
     */
    Outbox(OutboundLimit limit, Runnable drainer, String drainerPrefix, long drainerId) {
        this.limit = limit;
        this.drainer = drainer;
        this.drainerPrefix = drainerPrefix;
        this.drainerId = drainerId;
    }

    private String drainerName() {
        String name = drainerName;
        if (name == null) {
            // Two drainers starting at once may both make it: the same name, no harm.
            name = drainerId < 0 ? drainerPrefix : drainerPrefix + drainerId;
            drainerName = name;
        }
        return name;
    }

    private ConcurrentLinkedQueue<Object> items() {
        ConcurrentLinkedQueue<Object> queue = items;
        if (queue == null) {
            ConcurrentLinkedQueue<Object> made = new ConcurrentLinkedQueue<>();
            queue = ITEMS.compareAndSet(this, null, made) ? made : items;
        }
        return queue;
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
        items().add(item);
        if (!draining && DRAINING.compareAndSet(this, false, true)) {
            Thread.ofVirtual().name(drainerName()).start(drainer);
        }
        return Offer.QUEUED;
    }

    /** Takes room for one item of {@code length} bytes, or nothing; one item alone always fits. */
    private boolean reserve(int length) {
        int before;
        do {
            before = count;
            if (before >= limit.maxMessages()) {
                return false;
            }
        } while (!COUNT.compareAndSet(this, before, before + 1));
        if (before == 0) {
            // Alone in the queue: an item over the byte bound goes on its own rather than never.
            BYTES.getAndAdd(this, (long) length);
            return true;
        }
        for (;;) {
            long taken = bytes;
            if (taken + length > limit.maxBytes()) {
                COUNT.getAndAdd(this, -1);
                signalRoom(false); // our brief reservation may have turned another sender away
                return false;
            }
            if (BYTES.compareAndSet(this, taken, taken + length)) {
                return true;
            }
        }
    }

    /** Waits until an item of {@code length} may fit: null then; else CLOSED, or FULL after the patience without progress. */
    // Waits on this outbox's monitor: since JDK 24 a virtual thread waiting in Object.wait
    // leaves its carrier, as it would in a Condition, and the monitor costs no object.
    private Offer awaitRoom(int length, long patienceNanos) {
        WAITING.getAndAdd(this, 1);
        try {
            synchronized (this) {
                long since = System.nanoTime();
                // Checked under the monitor after announcing ourselves: a take() between the failed
                // reservation and here either left room we see now, or signals us once we wait.
                while (!closed && !fits(length)) {
                    long progressed = Math.max(since, lastProgress);
                    long left = patienceNanos == Long.MAX_VALUE ? Long.MAX_VALUE : progressed + patienceNanos - System.nanoTime();
                    if (left <= 0) {
                        return Offer.FULL;
                    }
                    // The cap is a safety net, never the wake-up.
                    TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, MAX_WAIT_NANOS));
                }
                return closed ? Offer.CLOSED : null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Offer.CLOSED;
        } finally {
            WAITING.getAndAdd(this, -1);
        }
    }

    private boolean fits(int length) {
        int queued = count;
        return queued == 0 || (queued < limit.maxMessages() && bytes + length <= limit.maxBytes());
    }

    /** The next item for the drainer, or null when none waits. Give its room back with {@link #release}. */
    public Object take() {
        ConcurrentLinkedQueue<Object> queue = items;
        return queue == null ? null : queue.poll();
    }

    /** Gives back the room of one item taken, of {@code length} bytes; wakes a waiting sender. */
    public void release(int length) {
        BYTES.getAndAdd(this, (long) -length);
        COUNT.getAndAdd(this, -1);
        signalRoom(true);
    }

    private void signalRoom(boolean progress) {
        if (waiting > 0) {
            if (progress) {
                // Only while someone waits is progress worth a clock read: the hot path pays none.
                lastProgress = System.nanoTime();
            }
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * The drainer calls this when {@link #take()} returned null: true if it must go on, since
     * an item arrived after its last take and found the drainer still marked running.
     */
    public boolean drained() {
        draining = false;
        ConcurrentLinkedQueue<Object> queue = items;
        return queue != null && !queue.isEmpty() && DRAINING.compareAndSet(this, false, true);
    }

    /** Counts one item that was not queued because the outbox was full (the drop policy). */
    public void countDrop() {
        DROPPED.getAndAdd(this, 1L);
    }

    /** Items dropped so far. */
    public long droppedCount() {
        return dropped;
    }

    /** Bytes waiting now. */
    public long bytes() {
        return Math.max(0, bytes); // a drainer may give back room after close() zeroed it
    }

    /** Items waiting now. */
    public int count() {
        return Math.max(0, count);
    }

    /** Refuses every further offer, forgets what waits, and wakes every waiting sender. */
    public void close() {
        closed = true;
        ConcurrentLinkedQueue<Object> queue = items;
        if (queue != null) {
            queue.clear();
        }
        bytes = 0;
        count = 0;
        synchronized (this) {
            notifyAll();
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
