package dev.sockit.transport;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of read buffer all of one server's connections may hold together. Each
 * connection's buffer may grow to twice its framing's limit (a frame of 1 MiB being read),
 * so without a budget 10,000 peers could hold 20 GiB; with one, a connection whose buffer
 * would pass it is refused that growth and closed, saying why, while the others go on.
 * Reserving and releasing happen only when a buffer changes size, never per message.
 */
public final class MemoryBudget {

    /** No budget: for clients, which hold one connection. */
    public static final MemoryBudget UNLIMITED = new MemoryBudget(Long.MAX_VALUE);

    private final long max;
    private final AtomicLong used = new AtomicLong();

    /** @param max bytes at most, at least 1 */
    public MemoryBudget(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("a memory budget must be at least 1 byte, not " + max);
        }
        this.max = max;
    }

    /** Takes {@code bytes} if they fit; false, having taken nothing, if they do not. */
    public boolean reserve(long bytes) {
        if (max == Long.MAX_VALUE) {
            return true;
        }
        for (;;) {
            long now = used.get();
            if (now + bytes > max) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Gives back {@code bytes} taken before. */
    public void release(long bytes) {
        if (max != Long.MAX_VALUE) {
            used.addAndGet(-bytes);
        }
    }

    /** Bytes held now. */
    public long used() {
        return used.get();
    }

    /** The budget. */
    public long max() {
        return max;
    }

    /** True when less than {@code headroom} bytes are left: no new connection should be taken. */
    public boolean nearlyExhausted(long headroom) {
        return max != Long.MAX_VALUE && used.get() + headroom > max;
    }

    /** The refusal of a read buffer that needed {@code more} bytes for a message of at least {@code message}. */
    Exceeded refusal(long more, int message) {
        return new Exceeded("server memory budget reached: read buffers hold " + used() + " of " + max
                + " bytes, and this connection needed " + more + " more for a message of at least " + message
                + " bytes; try again later (the server's maxBufferMemory)");
    }

    /** Thrown when a read buffer may not grow: the server's memory budget is spent. */
    static final class Exceeded extends IOException {
        Exceeded(String message) {
            super(message);
        }
    }
}
