package dev.sockit;

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
 * @param maxBytes    bytes queued at most, at least 1
 * @param maxMessages messages queued at most, at least 1
 * @param overflow    what a send over either bound does
 */
public record OutboundLimit(long maxBytes, int maxMessages, Overflow overflow) {

    /** What a send does when the peer's queue is full. */
    public enum Overflow {
        /** Close the peer with reason "not reading": it is not keeping up. The default for servers. */
        DISCONNECT,
        /** Drop this message for this peer; count it. */
        DROP,
        /** Wait until there is room: the sender slows to the peer's pace. The default for clients. */
        BLOCK
    }

    /** 1 MiB or 10,000 messages, then disconnect: a server's default. */
    public static final OutboundLimit SERVER_DEFAULT = new OutboundLimit(1 << 20, 10_000, Overflow.DISCONNECT);

    /** 1 MiB or 10,000 messages, then block the sender: a client's default, so piped input is never lost. */
    public static final OutboundLimit CLIENT_DEFAULT = new OutboundLimit(1 << 20, 10_000, Overflow.BLOCK);

    public OutboundLimit {
        Objects.requireNonNull(overflow, "overflow");
        if (maxBytes < 1 || maxMessages < 1) {
            throw new IllegalArgumentException("outbound limits must be at least 1, not " + maxBytes + " bytes and "
                    + maxMessages + " messages");
        }
    }

    /** A limit of {@code maxBytes} and {@code maxMessages}, then {@code overflow}. */
    public static OutboundLimit of(long maxBytes, int maxMessages, Overflow overflow) {
        return new OutboundLimit(maxBytes, maxMessages, overflow);
    }
}
