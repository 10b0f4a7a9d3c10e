package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.Connection;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.OutboundLimit;
import dev.sockit.framing.Framing;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Sends from threads other than the connection's reader (push, broadcast, chat, pings and
 * pongs): the {@link OutboundLimit}'s overflow policy applied to the {@link Outbox}, and the
 * outbox's drainer, which moves what waits into the {@link Output} and writes it, in one write
 * when it can. So a pushing thread never writes to the socket itself.
 */
final class Pusher {

    /** What the pusher needs of its connection. */
    interface Owner {
        /** The connection, for the observer and for messages. */
        Connection connection();

        /** True while the connection's reads wait long: buffers stay small. */
        boolean quiet();

        /** Writes the output buffer (under its lock); a failure ends the connection. */
        void writeLocked() throws IOException;

        /** Closes from a thread that must not wait; false if it was already closing. */
        boolean expire(CloseReason reason);
    }

    private static final VarHandle OUTBOX;

    static {
        try {
            OUTBOX = MethodHandles.lookup().findVarHandle(Pusher.class, "outbox", Outbox.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FramingSlot framing;
    private final OutboundLimit outbound;
    private final Observer observer;
    private final Output output;
    private final Owner owner;
    // Made by the first push (OUTBOX): most connections are never pushed to, and an outbox
    // with its drainer is 88 bytes for each of them.
    private volatile Outbox outbox;
    // Set by close(); an outbox made after it is closed at once.
    private volatile boolean closed;

    Pusher(FramingSlot framing, OutboundLimit outbound, Observer observer, Output output, Owner owner) {
        this.framing = framing;
        this.outbound = outbound;
        this.observer = observer;
        this.output = output;
        this.owner = owner;
    }

    /** The outbox, made now if nothing was pushed before. */
    private Outbox outbox() {
        Outbox box = outbox;
        if (box == null) {
            Outbox made = new Outbox(outbound, this::drain, "sockit-push-", owner.connection().id());
            box = OUTBOX.compareAndSet(this, null, made) ? made : outbox;
            if (closed) {
                // close() may have looked before the outbox was there: close it here.
                box.close();
            }
        }
        return box;
    }

    /** Closes the outbox, made or not: senders waiting for room wake, later pushes are refused. */
    void close() {
        closed = true;
        Outbox box = outbox;
        if (box != null) {
            box.close();
        }
    }

    /** Pushes not queued because the outbox was full (the drop policy). */
    long droppedCount() {
        Outbox box = outbox;
        return box == null ? 0 : box.droppedCount();
    }

    /** Bytes queued and not yet written. */
    long queuedBytes() {
        Outbox box = outbox;
        return box == null ? 0 : box.bytes();
    }

    /**
     * Queues {@code message}, applying the overflow policy when the outbox is full: drop it,
     * wait (for ever, or while the peer makes progress), or close a peer that is not reading.
     *
     * @throws ClosedConnectionException when the connection closed, or was closed for not reading
     */
    void push(Message message) throws IOException {
        int length = framing.encodedLength(message);
        long patience = switch (outbound.overflow()) {
            case BLOCK -> Long.MAX_VALUE;
            case DISCONNECT -> outbound.patience().toNanos();
            case DROP -> 0;
        };
        Connection connection = owner.connection();
        Outbox outbox = outbox();
        switch (outbox.offer(message, length, patience)) {
            case QUEUED -> { }
            case FULL -> {
                if (outbound.overflow() == OutboundLimit.Overflow.DROP) {
                    outbox.countDrop();
                    observer.pushDropped(connection);
                    return;
                }
                long queued = outbox.bytes(); // closing discards them: read it first
                CloseReason reason = CloseReason.of(CloseReason.Code.LIMIT, "not reading: " + outbox.describe());
                if (owner.expire(reason)) {
                    observer.slowReader(connection, queued, reason);
                }
                throw new ClosedConnectionException(connection.toString(), connection.closeReason());
            }
            case CLOSED -> throw new ClosedConnectionException(connection.toString(),
                    connection.closeReason() != null ? connection.closeReason() : CloseReason.closed());
        }
    }

    /** Queues bytes that must go before all that follows (a greeting), waiting for room. */
    void pushFirst(byte[] bytes) {
        outbox().offer(bytes, bytes.length, Long.MAX_VALUE);
    }

    /** Queues encoded control bytes (a ping, a pong) from a thread that must not wait; dropped when full. */
    void pushControl(byte[] bytes) {
        Outbox outbox = outbox();
        if (outbox.offer(bytes, bytes.length, 0) == Outbox.Offer.FULL) {
            outbox.countDrop();
            observer.pushDropped(owner.connection());
        }
    }

    /** The drainer: moves queued pushes into the write buffer and writes them, in one write when it can. */
    private void drain() {
        Outbox outbox = this.outbox; // made: a push started this drainer
        do {
            output.lock();
            try {
                moveLocked();
                if (output.pending()) {
                    owner.writeLocked();
                }
                if (owner.quiet()) {
                    // A listener that only receives pushes would otherwise keep a write
                    // buffer per connection for good: 80 MiB across 10,000 of them.
                    output.releaseLocked();
                }
            } catch (IOException closed) {
                outbox.close();
            } finally {
                output.unlock();
            }
        } while (outbox.drained());
    }

    /** True once anything was pushed: what is queued may not all have been written yet. */
    boolean everPushed() {
        return outbox != null;
    }

    /**
     * Moves every queued push into the write buffer (which writes when it fills); a lone push
     * with nothing before it stays in its shared frame, written from there. Under the write lock.
     */
    void moveLocked() throws IOException {
        Outbox outbox = this.outbox;
        if (outbox == null) {
            return; // nothing was ever pushed
        }
        boolean quiet = owner.quiet();
        for (Object item; (item = outbox.take()) != null; ) {
            if (item instanceof Message message) {
                // One read of the framing: the frame and the length released come from the same one.
                Framing current = framing.current();
                int length = current.encodedLength(message);
                // Encoded once for every connection it is pushed to, where the framing allows,
                // but only when it would be written from where it is: behind other bytes it is
                // copied in, and encoding it there is that copy without the shared frame. A
                // stream of distinct pushes to one connection drains in batches, and a shared
                // frame made for each of them cut its msgs/s to 0.58-0.63x and added 105 B per
                // message (docs/performance.md, "Broadcast fan-out").
                byte[] frame = output.pending() ? null : SharedFrame.of(current, message, length);
                if (frame != null) {
                    output.putShared(frame, quiet);
                } else {
                    output.put(message, quiet);
                }
                outbox.release(length);
            } else {
                byte[] bytes = (byte[]) item;
                output.put(bytes, quiet);
                outbox.release(bytes.length);
            }
        }
    }
}
