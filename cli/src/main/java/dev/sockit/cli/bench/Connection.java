package dev.sockit.cli.bench;

import java.io.IOException;
import java.nio.channels.Selector;

/**
 * One connection of the load, as its {@link EventLoop} drives it: a stream carrying lines
 * ({@link LoadConnection}, TCP and Unix sockets) or a connected UDP socket carrying one
 * datagram per request and reply ({@link DatagramLoadConnection}). Owned by one loop thread.
 */
abstract sealed class Connection permits LoadConnection, DatagramLoadConnection {

    final int id;
    final int position;

    // Open loop: requests that are due by the schedule but wait for room under the depth cap.
    long owed;
    boolean dirty;

    Connection(int id, int position) {
        this.id = id;
        this.position = position;
    }

    abstract void register(Selector selector) throws IOException;

    abstract boolean isOpen();

    /** Reads what the socket has, verifies and times the replies, then issues what is now allowed. */
    abstract void onReadable(long now);

    abstract void onWritable(long now);

    /**
     * Issues as many requests as the depth allows (and, in open loop, as the schedule owes),
     * starting their clocks now, and sends them.
     */
    abstract void issue(long now);

    abstract void close();
}
