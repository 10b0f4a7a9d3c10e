package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.framing.Framing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * How a stream connection ends, whoever ends it: what was queued goes out, then the
 * framing's farewell, then our end of the stream (TLS: close_notify, then TCP's FIN); what the
 * peer still sends is read and discarded until it ends too (lingering), so that the kernel
 * does not answer unread input with a reset, which the peer would read as an error instead of
 * the end, and which can destroy what it had not read yet; then everything is released — the
 * socket, the queue, the watchdogs. Bounded throughout: a peer that stops reading, or never
 * ends, or floods, cannot hold a close open.
 *
 * <p>Only the connection's reader reads. A close from another thread says goodbye and ends the
 * output, then hands the lingering and the socket's close to the reader, which finds the
 * connection closed at its next read ({@link #finishOnReader}); a connection waiting without a
 * thread in the waiting room is given one for it. A timer closes the socket if no reader has
 * finished within the linger's second.
 */
final class Closer {

    // How long a close waits for a sender that holds the write lock before it cuts the socket.
    private static final long FAREWELL_LOCK_WAIT_MILLIS = 200;
    // A close must end even if the peer stops reading our last bytes.
    private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(2);
    // How long, and for how many bytes, a close reads and discards what the peer still sends
    // while it waits for the peer's end: closing with input unread would reset the connection.
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final int LINGER_MAX_BYTES = 1 << 20;

    // How far the close is: the farewell under way; handed to the reader (output ended, the
    // linger and the socket's close are the reader's); the reader lingering; done.
    private static final int SAYING = 0;
    private static final int HANDED = 1;
    private static final int LINGERING = 2;
    private static final int DONE = 3;
    // What saying goodbye came to: all written, with the framing's farewell or without one; or not.
    private static final int SAID_FAREWELL = 1;
    private static final int SAID = 0;
    private static final int FAILED = -1;

    private final SocketChannel channel;
    private final TlsChannel tls;
    private final Framing framing;
    private final Output output;
    private final Pusher pusher;
    private final Watchdogs watchdogs;
    private final Intake intake;
    // Guarded by this object's monitor, as is backstop; the reader waits on it for the hand-off.
    private int state = SAYING;
    private Future<?> backstop;
    private long lingerUntil;

    Closer(SocketChannel channel, TlsChannel tls, Framing framing, Output output, Pusher pusher, Watchdogs watchdogs,
            Intake intake) {
        this.intake = intake;
        this.channel = channel;
        this.tls = tls;
        this.framing = framing;
        this.output = output;
        this.pusher = pusher;
        this.watchdogs = watchdogs;
    }

    /**
     * Says goodbye and ends. {@code handOff}: this thread is not the connection's reader, which
     * is reading, or will (a waiting connection is given a thread): it must not read in the
     * reader's place, nor close the socket under it, so the rest is the reader's. Otherwise
     * this thread reads what the peer still sends, when input waits unread or it said a
     * farewell (the peer's first bytes may still be on their way: a refusal's peer's, or the
     * rest of an over-long line), or the server is stopping (the peer may be sending still),
     * and closes.
     */
    void close(CloseReason reason, boolean handOff) {
        // A thread interrupted (a stop's cut-off of its handler) would close the socket at its
        // first write or read, with input unread: the close is bounded by its own deadlines,
        // and the interrupt stays for whatever the thread does next.
        boolean interrupted = Thread.interrupted();
        try {
            if (handOff) {
                closeForReader(reason);
            } else {
                closeHere(reason);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeHere(CloseReason reason) {
        Future<?> deadline = armDeadlineNow();
        try {
            int said = sayFarewell(reason, deadline == null);
            if (said == SAID_FAREWELL || (said == SAID && (inputUnread() || stopping()))) {
                // Its own deadline: a second, with the socket closed when it passes.
                lingerUntil = System.nanoTime() + LINGER.toNanos();
                Future<?> cut = Timer.after(LINGER, () -> Tcp.closeQuietly(channel));
                try {
                    if (endOutput()) {
                        discardUntilEnd();
                    }
                } finally {
                    cut.cancel(false);
                }
            } else if (tls != null) {
                tls.closeOutbound(); // close_notify: the peer's read ends cleanly, not as a truncation
            }
        } finally {
            cancel(deadline);
            cut();
        }
    }

    /**
     * A close from another thread than the reader's: the farewell, the end of our output, then
     * the reader's turn. Without the farewell (a sender stuck on a peer that does not read) the
     * socket is cut at once, as nothing more can reach the peer.
     */
    private void closeForReader(CloseReason reason) {
        output.awakenForClose(); // waiting without a thread: the room gives it one, which finishes
        boolean said;
        Future<?> deadline = armDeadlineNow();
        try {
            said = sayFarewell(reason, deadline == null) != FAILED && endOutput();
        } finally {
            cancel(deadline);
        }
        if (!said) {
            cut();
            return;
        }
        watchdogs.stop();
        pusher.close();
        synchronized (this) {
            lingerUntil = System.nanoTime() + LINGER.toNanos();
            backstop = Timer.after(LINGER, this::backstop);
            state = HANDED;
            notifyAll();
        }
    }

    /**
     * On the reader, which found the connection closed: if another thread handed the close
     * over, and input waits unread, reads and discards what the peer still sends until its
     * end (within what is left of the linger's second and 1 MiB), then releases. Waits for a
     * close still saying its farewell; returns at once when there is nothing left to do.
     */
    void finishOnReader() {
        awaitSaid(); // past its bound the closer's own deadlines end it; nothing for the reader to do
        synchronized (this) {
            if (state != HANDED) {
                return;
            }
            state = LINGERING;
        }
        // A reader cut off by a stop's interrupt still lingers: an interrupted channel read
        // would close the socket at once, with the input unread.
        boolean interrupted = Thread.interrupted();
        try {
            if (inputUnread() || stopping()) {
                discardUntilEnd();
            }
        } finally {
            release();
            Future<?> timer;
            synchronized (this) {
                state = DONE;
                timer = backstop;
            }
            timer.cancel(false);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** No reader finished a handed-over close within the linger's second: the socket closes now. On the timer thread. */
    private void backstop() {
        synchronized (this) {
            if (state == DONE) {
                return;
            }
        }
        // Never waits: a reader still lingering wakes, finds the socket closed, and releases the rest.
        Tcp.closeQuietly(channel);
        intake.returnBudget();
    }

    /**
     * Releases everything, and no reader has anything left to finish: after the whole close
     * on this thread, or at once when nothing more can reach the peer (a write failed).
     */
    void cut() {
        release();
        synchronized (this) {
            state = DONE;
            notifyAll();
        }
    }

    /** What every close ends with, however it came: nothing left scheduled, queued or waiting. */
    void release() {
        output.awakenForClose(); // closed while waiting without a thread: its new thread ends it
        watchdogs.stop();
        Tcp.closeQuietly(channel);
        pusher.close(); // senders waiting for room: there will be none
        intake.returnBudget();
    }

    /**
     * The close's deadline, armed before anything is said when TLS is there (its close_notify
     * is a write that may wait for the peer); null otherwise, and {@link #sayFarewell} arms it
     * only if it has bytes to write. A plain connection that closes with nothing left to say,
     * the common end of a short-lived one, so schedules nothing: a timer armed and cancelled
     * on every close woke the timer thread twice per connection.
     */
    private Future<?> armDeadlineNow() {
        return tls != null ? Timer.after(CLOSE_DEADLINE, () -> Tcp.closeQuietly(channel)) : null;
    }

    private static void cancel(Future<?> deadline) {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    /**
     * Flushes pending sends and the framing's farewell: {@link #SAID_FAREWELL}, {@link #SAID}
     * (the framing has none), or {@link #FAILED}. {@code armDeadline}: the caller armed no
     * deadline, so one is armed here around the write, if there is anything to write.
     */
    private int sayFarewell(CloseReason reason, boolean armDeadline) {
        try {
            if (!output.tryLock(FAREWELL_LOCK_WAIT_MILLIS)) {
                return FAILED; // a sender is stuck on a peer that does not read: cut it off
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
        Future<?> deadline = null;
        try {
            byte[] farewell = framing.farewell(reason);
            // Bytes to write: a peer that stops reading could hold the write forever, and the
            // deadline closes the socket under it. Anything ever pushed may still be queued (a
            // push racing this close, too, is then written under the write timeout's watch).
            if (armDeadline && (farewell != null || output.pending() || pusher.everPushed())) {
                deadline = Timer.after(CLOSE_DEADLINE, () -> Tcp.closeQuietly(channel));
            }
            pusher.moveLocked(); // what was sent before the close goes before the farewell
            if (farewell != null) {
                output.put(farewell, false);
            }
            if (output.pending()) {
                output.flushLocked();
            }
            return farewell != null ? SAID_FAREWELL : SAID;
        } catch (IOException e) {
            return FAILED;
        } finally {
            cancel(deadline);
            output.unlock();
        }
    }

    /** Ends our stream: TLS's close_notify, then TCP's FIN. False when the socket is gone. */
    private boolean endOutput() {
        if (tls != null) {
            tls.closeOutbound();
        }
        try {
            channel.shutdownOutput();
            return true;
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * Whether closing now would leave input unread, so that the kernel would reset the
     * connection: bytes waiting in the kernel (TCP); for Unix sockets, which cannot be asked,
     * whenever the peer has not ended its stream.
     */
    private boolean inputUnread() {
        if (intake.readTheEnd()) {
            return false; // the peer's end was read: asking the kernel (FIONREAD) would be a system call for nothing
        }
        return intake.canProbe() ? intake.unread() > 0 : !intake.endOfStream();
    }

    /**
     * Whether the server is stopping (the connection was drained): its peer did not choose the
     * end, and may be sending still, with bytes on their way that nothing asked about yet, so
     * the close waits for the peer's end (a read, at once when it has ended already).
     */
    private boolean stopping() {
        return intake.drainReason() != null;
    }

    /**
     * Reads and discards what the peer still sends until it ends, 1 MiB at most, until
     * {@code lingerUntil}, when a timer closes the socket under the read. By the reader only.
     */
    private void discardUntilEnd() {
        // An interrupt (a stop's cut-off of the handler) waits until the lingering is over: an
        // interrupted read would close the socket at once, with input unread.
        boolean interrupted = false;
        try {
            // What the peer still sends is discarded unread, so TLS need not decrypt it.
            ByteBuffer sink = intake.release();
            sink = sink.capacity() > 0 ? sink.clear() : ByteBuffer.allocate(8 * 1024);
            for (long discarded = 0; discarded < LINGER_MAX_BYTES && System.nanoTime() - lingerUntil < 0; sink.clear()) {
                interrupted |= Thread.interrupted();
                int n = intake.readToDiscard(sink);
                if (n < 0) {
                    break;
                }
                discarded += n;
            }
        } catch (IOException ignored) {
            // Reset, closed by the deadline, or already gone: the lingering is over either way.
        } finally {
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits until the close has said its farewell (or, on the closing reader's own thread, is
     * over), within the close's own bounds; for a stop's cut-off, which interrupts the handler
     * only then, so that no write of the handler's is under way when the interrupt comes.
     */
    void awaitSaid() {
        long giveUp = System.nanoTime() + CLOSE_DEADLINE.toNanos() + LINGER.toNanos();
        boolean interrupted = false;
        synchronized (this) {
            while (state == SAYING) {
                long left = giveUp - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
