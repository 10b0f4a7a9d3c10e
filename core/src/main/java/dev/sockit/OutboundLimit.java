package dev.sockit;

import java.time.Duration;
import java.util.Objects;

/**
 * How much may wait to be written to one peer, and what happens to a send beyond it: the
 * bound that keeps one slow reader from stalling everyone else or growing memory until the
 * process dies. Applies to sends from threads other than the connection's own handler (push,
 * broadcast, chat); the handler's own replies are held back by the socket itself, which is
 * the natural flow control of request and response.
 *
 * <pre>{@code Server.listen(endpoint).outbound(OutboundLimit.of(1 << 20, 10_000, Overflow.DROP))}</pre>
 *
 * <p>A slow consumer is judged by its progress, not by a momentary queue size: with
 * {@link Overflow#DISCONNECT}, a send that finds the queue full waits while the peer keeps
 * taking bytes, so a reader slower than its sender slows the sender and gets every message in
 * order; only a peer that takes nothing for {@code patience} is closed ("not reading"). What
 * waits for one peer is bounded by {@code maxBytes} (plus the write buffer, at most 64 KiB,
 * and what the kernel holds for its socket).
 *
 * @param maxBytes    bytes queued at most, at least 1
 * @param maxMessages messages queued at most, at least 1
 * @param overflow    what a send over either bound does
 * @param patience    with {@link Overflow#DISCONNECT}: how long a send waits for a peer that
 *                    takes none of its queued bytes before that peer is closed; positive
 */
public record OutboundLimit(long maxBytes, int maxMessages, Overflow overflow, Duration patience) {

    /** How long a full queue waits on a peer that makes no progress, by default: 5 s. */
    public static final Duration DEFAULT_PATIENCE = Duration.ofSeconds(5);

    /**
     * A limit with the {@link #DEFAULT_PATIENCE}.
     *
     * @param maxBytes    the most bytes queued for the peer, at least 1
     * @param maxMessages the most messages queued for the peer, at least 1
     * @param overflow    what a send beyond either does
     * @throws IllegalArgumentException for a limit below 1
     */
    public OutboundLimit(long maxBytes, int maxMessages, Overflow overflow) {
        this(maxBytes, maxMessages, overflow, DEFAULT_PATIENCE);
    }

    /** What a send does when the peer's queue is full. */
    public enum Overflow {
        /**
         * Wait while the peer makes progress (the sender slows to the peer's pace); close a
         * peer that takes nothing for the patience with reason "not reading". The default for servers.
         */
        DISCONNECT,
        /** Drop this message for this peer; count it. */
        DROP,
        /** Wait until there is room: the sender slows to the peer's pace. The default for clients. */
        BLOCK
    }

    /** 1 MiB or 10,000 messages, then wait while the peer progresses, else disconnect: a server's default. */
    public static final OutboundLimit SERVER_DEFAULT = new OutboundLimit(1 << 20, 10_000, Overflow.DISCONNECT);

    /** 1 MiB or 10,000 messages, then block the sender: a client's default, so piped input is never lost. */
    public static final OutboundLimit CLIENT_DEFAULT = new OutboundLimit(1 << 20, 10_000, Overflow.BLOCK);

    /**
     * Checks the limit.
     *
     * @throws IllegalArgumentException for a limit below 1 or a patience that is not positive
     * @throws NullPointerException     for a null overflow or patience
     */
    public OutboundLimit {
        Objects.requireNonNull(overflow, "overflow");
        Objects.requireNonNull(patience, "patience");
        if (patience.isNegative() || patience.isZero()) {
            throw new IllegalArgumentException("outbound patience must be positive, not " + patience);
        }
        if (maxBytes < 1 || maxMessages < 1) {
            throw new IllegalArgumentException("outbound limits must be at least 1, not " + maxBytes + " bytes and "
                    + maxMessages + " messages");
        }
    }

    /**
     * {@return a limit of {@code maxBytes} and {@code maxMessages}, then {@code overflow}}, with the default patience.
     *
     * @param maxBytes    the most bytes queued for the peer, at least 1
     * @param maxMessages the most messages queued for the peer, at least 1
     * @param overflow    what a send beyond either does
     * @throws IllegalArgumentException for a limit below 1
     */
    public static OutboundLimit of(long maxBytes, int maxMessages, Overflow overflow) {
        return new OutboundLimit(maxBytes, maxMessages, overflow);
    }

    /**
     * {@return this limit with another {@link #patience()}}
     *
     * @param patience a positive duration
     * @throws IllegalArgumentException when {@code patience} is not positive
     */
    public OutboundLimit withPatience(Duration patience) {
        return new OutboundLimit(maxBytes, maxMessages, overflow, patience);
    }
}
