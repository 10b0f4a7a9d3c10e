package dev.sockit.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Where a server's idle connections wait for their next input without a thread: one
 * {@link Selector} on one platform thread. A connection served by a
 * {@link dev.sockit.MessageHandler} whose peer has said nothing for {@link #after()} comes in
 * ({@link #enter}): its channel turns non-blocking and is registered for reading, and the
 * virtual thread that read it ends. An idle connection's thread and its parked stack are most
 * of what it holds (docs/performance.md, "Idle connections").
 *
 * <p>An idle connection (new, or back from here, or its last wait a second or more) comes in
 * at the start of its wait, its reader parked until it leaves or {@link #after()} passes; then
 * the reader ends, and the connection waits on here without it.
 *
 * <p>It leaves when its socket turns readable (input, the peer's end or reset, a drain's
 * shutdown of its input) or when another thread needs it ({@link #call}: a write, a close):
 * its key is cancelled and flushed here, its channel is blocking again, and then its parked
 * reader takes it back, or, if none waits, the server starts a new thread for it
 * ({@link #onWake}), which reads what came, or finds the connection closed and ends it. Only
 * this room's thread registers, cancels and wakes, so a connection leaves once per entry, and
 * one compare-and-set decides between a parked reader and a new thread: no two threads ever
 * serve one connection.
 */
public final class WaitingRoom implements AutoCloseable {

    private final Duration after;
    private final ConcurrentLinkedQueue<StreamCore> arrivals = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<StreamCore> calls = new ConcurrentLinkedQueue<>();
    private volatile Consumer<? super StreamCore> wake;
    private Selector selector; // opened by the first arrival, under this object's monitor
    private Thread thread;
    private volatile boolean closed;

    /**
     * @param after how long a connection's peer must have been silent before it comes in
     */
    public WaitingRoom(Duration after) {
        if (after.isNegative() || after.isZero() || after.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the silence before an idle connection waits without a thread must be"
                    + " 1 ms to 24 days, not " + after);
        }
        this.after = after;
    }

    /** The silence after which a connection comes in. */
    public Duration after() {
        return after;
    }

    /** What starts a woken connection's new thread: the server's, set once before any connection. */
    public void onWake(Consumer<? super Drainable> wake) {
        this.wake = Objects.requireNonNull(wake, "wake");
    }

    /** True when a server serves with this room: it can wake what comes in. */
    boolean open() {
        return wake != null && !closed;
    }

    /**
     * {@code connection}'s channel is non-blocking now and its reader leaving: register it.
     * False once the room is closed: the reader must go on reading.
     */
    boolean enter(StreamCore connection) {
        Selector running;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (selector == null) {
                start();
            }
            arrivals.add(connection);
            running = selector;
        }
        running.wakeup();
        return true;
    }

    /** Another thread needs {@code connection}, which is waiting here: take it out. */
    void call(StreamCore connection) {
        Selector running;
        synchronized (this) {
            running = selector;
            if (running == null) {
                return; // nothing ever came in
            }
            calls.add(connection);
        }
        running.wakeup();
    }

    private void start() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the waiting room's selector", e);
        }
        thread = Thread.ofPlatform().name("sockit-waiting-room").daemon(true).start(this::run);
    }

    private void run() {
        List<StreamCore> leaving = new ArrayList<>();
        // What the connections served in line are read into, and their replies written from,
        // one after another.
        ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
        ByteBuffer replies = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (!closed) {
                selector.select();
                do {
                    admit(leaving);
                    for (SelectionKey ready : selector.selectedKeys()) {
                        StreamCore connection = (StreamCore) ready.attachment();
                        if (!connection.serveInline(scratch, replies)) {
                            takeOut(connection, leaving, true);
                        }
                    }
                    selector.selectedKeys().clear();
                    for (StreamCore called; (called = calls.poll()) != null; ) {
                        takeOut(called, leaving, false);
                    }
                    if (leaving.isEmpty()) {
                        break;
                    }
                    // Deregisters the cancelled keys: only then may their channels block again.
                    selector.selectNow();
                    for (StreamCore connection : leaving) {
                        leave(connection);
                    }
                    leaving.clear();
                } while (!selector.selectedKeys().isEmpty() || !calls.isEmpty() || !arrivals.isEmpty());
            }
        } catch (IOException | RuntimeException e) {
            // The selector failed: nothing can wait here any more; everyone still here leaves.
            System.getLogger(WaitingRoom.class.getName()).log(System.Logger.Level.ERROR, "waiting room failed", e);
        } finally {
            closeSelector(leaving);
        }
    }

    /**
     * Registers the arrivals; one whose channel closed meanwhile leaves at once, and one that
     * was called before it arrived (its call found no key, and was dropped) leaves next.
     */
    private void admit(List<StreamCore> leaving) {
        for (StreamCore connection; (connection = arrivals.poll()) != null; ) {
            try {
                connection.channel.register(selector, SelectionKey.OP_READ, connection);
            } catch (ClosedChannelException closed) {
                connection.readable = true; // its read sees the close
                leave(connection); // not registered: nothing to flush
                continue;
            }
            if (connection.called) {
                takeOut(connection, leaving, false);
            }
        }
    }

    /** Cancels {@code connection}'s key; {@code readable}: it leaves for input, not for a call. */
    private void takeOut(StreamCore connection, List<StreamCore> leaving, boolean readable) {
        // Its registration, found on its channel (rather than kept in a field of every connection):
        // none, or a cancelled one, when it left already (a call after readiness, or two calls).
        SelectionKey key = connection.channel.keyFor(selector);
        if (key != null && key.isValid()) {
            connection.readable = readable;
            key.cancel();
            leaving.add(connection);
        }
    }

    /** Blocking again, {@code connection} goes to its parked reader, or else to a new thread. */
    private void leave(StreamCore connection) {
        connection.leftRoom();
        if (!connection.handBack()) {
            wake.accept(connection);
        }
    }

    /** Every connection still here leaves (each then runs, finds why, and ends or waits in a thread). */
    private void closeSelector(List<StreamCore> leaving) {
        admit(leaving);
        for (SelectionKey key : selector.keys()) {
            takeOut((StreamCore) key.attachment(), leaving, true);
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Closing deregisters every key; a failure leaves nothing we could release.
        }
        for (StreamCore connection : leaving) {
            leave(connection); // no room to wait in: each reads on, with its thread
        }
        for (StreamCore called; (called = calls.poll()) != null; ) {
            // Not here any more, or never: nothing to do.
        }
    }

    /**
     * Closes the room once its server's connections are gone; any still waiting leave first,
     * each on a thread of its own again.
     */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            running = thread;
            if (selector != null) {
                selector.wakeup();
            }
        }
        if (running != null) {
            try {
                running.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
