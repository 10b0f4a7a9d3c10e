package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.framing.Framing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Future;

/**
 * How a stream connection ends, whoever ends it: what was queued goes out, then the
 * framing's farewell; after a farewell, what the peer still sends is read and discarded for
 * a while (lingering), so that TCP does not reset the connection and destroy the farewell;
 * then everything is released — the socket, the queue, the watchdogs. Bounded throughout: a
 * peer that stops reading cannot hold a close open.
 */
final class Closer {

    // How long a close waits for a sender that holds the write lock before it cuts the socket.
    private static final long FAREWELL_LOCK_WAIT_MILLIS = 200;
    // A close must end even if the peer stops reading our last bytes.
    private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(2);
    // After an error we read and discard what the peer still sends, so that our error line
    // is not destroyed by the reset that closing with unread input would send.
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final int LINGER_MAX_BYTES = 1 << 20;

    private final SocketChannel channel;
    private final TlsChannel tls;
    private final Framing framing;
    private final Output output;
    private final Pusher pusher;
    private final Watchdogs watchdogs;
    private final Intake intake;

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
     * Says goodbye and releases. Only the {@code reader} (null: there is none yet) may read
     * what the peer still sends, lingering; a close from another thread leaves it to wake up.
     */
    void close(CloseReason reason, Thread reader) {
        boolean mayLinger = reader == null || reader == Thread.currentThread();
        Future<?> deadline = Timer.after(CLOSE_DEADLINE, () -> Tcp.closeQuietly(channel));
        try {
            if (sayFarewell(reason) && mayLinger) {
                linger();
            } else if (tls != null) {
                tls.closeOutbound(); // close_notify: the peer's read ends cleanly, not as a truncation
            }
        } finally {
            deadline.cancel(false);
            release();
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

    /** Flushes pending sends and the framing's farewell; true if there was a farewell and it was written. */
    private boolean sayFarewell(CloseReason reason) {
        try {
            if (!output.tryLock(FAREWELL_LOCK_WAIT_MILLIS)) {
                return false; // a sender is stuck on a peer that does not read: cut it off
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            pusher.moveLocked(); // what was sent before the close goes before the farewell
            byte[] farewell = framing.farewell(reason);
            if (farewell != null) {
                output.put(farewell, false);
            }
            if (output.pending()) {
                output.flushLocked();
            }
            return farewell != null;
        } catch (IOException e) {
            return false;
        } finally {
            output.unlock();
        }
    }

    private void linger() {
        Future<?> deadline = Timer.after(LINGER, () -> Tcp.closeQuietly(channel));
        try {
            if (tls != null) {
                tls.closeOutbound();
            }
            channel.shutdownOutput();
            // What the peer still sends is discarded unread, so TLS need not decrypt it.
            ByteBuffer sink = intake.release();
            sink = sink.capacity() > 0 ? sink.clear() : ByteBuffer.allocate(8 * 1024);
            for (long discarded = 0; discarded < LINGER_MAX_BYTES; sink.clear()) {
                int n = channel.read(sink);
                if (n < 0) {
                    break;
                }
                discarded += n;
            }
        } catch (IOException ignored) {
            // Reset, closed by the deadline, or already gone: the lingering is over either way.
        } finally {
            deadline.cancel(false);
        }
    }
}
