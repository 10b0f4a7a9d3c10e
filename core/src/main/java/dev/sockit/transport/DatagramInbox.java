package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The datagrams a {@link DatagramConnection}'s one feeder handed over and its handler has not
 * taken yet: bounded, as a socket's receive buffer is (a datagram that finds it full is
 * dropped), and ended, which closes it to the feeder and wakes the reader, with the reason
 * a drain or the session timeout gave (a close gives none).
 */
final class DatagramInbox {

    // Marks the end; compared by identity, never handed to a handler.
    private static final Message END = Message.of(new byte[0]);

    /** What became of a datagram handed to {@link DatagramConnection#deliver}. */
    enum Delivery {
        /** It waits in the inbox for the handler. */
        ACCEPTED,
        /** The inbox is full: it was dropped. */
        FULL,
        /** The session has ended (idle, drained or closed): open a new one for the peer. */
        ENDED
    }

    private final BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    private final int limit;
    private final Traffic traffic;
    private volatile boolean ended;
    private volatile CloseReason reason;

    /** @param traffic where the bytes of each datagram taken are counted, before the reader can see it */
    DatagramInbox(int limit, Traffic traffic) {
        this.limit = limit;
        this.traffic = traffic;
    }

    /** Takes a datagram from the feeder, unless the inbox has ended or is full. */
    synchronized Delivery offer(Message datagram) {
        if (ended) {
            return Delivery.ENDED;
        }
        if (queue.size() >= limit) {
            return Delivery.FULL;
        }
        traffic.bytesIn(datagram.length());
        queue.add(datagram);
        return Delivery.ACCEPTED;
    }

    /**
     * The next datagram, waiting until {@code deadline} ({@link System#nanoTime()};
     * {@code Long.MAX_VALUE}: no limit). Null when the inbox has ended, or when the deadline
     * passed first: {@link #ended()} tells which. For the one reader.
     */
    Message next(long deadline) throws InterruptedException {
        for (;;) {
            Message message = queue.poll();
            if (message == null) {
                if (ended) {
                    return null;
                }
                long timeLeft = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (timeLeft <= 0) {
                    return null;
                }
                message = timeLeft == Long.MAX_VALUE ? queue.take() : queue.poll(timeLeft, TimeUnit.NANOSECONDS);
                if (message == null) {
                    continue;
                }
            }
            if (message != END) {
                return message;
            }
        }
    }

    boolean ended() {
        return ended;
    }

    /** Why it ended, when a drain or the session timeout ended it; else null. */
    CloseReason reason() {
        return reason;
    }

    /**
     * Ends the inbox for {@code reason} (kept unless one was given before): the feeder is
     * refused from now on; the reader takes what waits, then null.
     */
    synchronized void end(CloseReason reason) {
        if (this.reason == null) {
            this.reason = reason;
        }
        ended = true;
        queue.add(END);
    }

    /** Ends the inbox for {@code reason} unless it has ended; false if it had. */
    synchronized boolean endIfOpen(CloseReason reason) {
        if (ended) {
            return false;
        }
        end(reason);
        return true;
    }

    /** Ends the inbox and drops what waits: the reader's next call returns null. */
    synchronized void endAndClear() {
        ended = true;
        queue.clear();
        queue.add(END);
    }
}
