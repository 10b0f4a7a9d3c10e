package dev.sockit.cli.bench;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * One connection of the load, as its {@link EventLoop} drives it: a stream carrying lines
 * ({@link LoadConnection}, TCP and Unix sockets) or a connected UDP socket carrying one
 * datagram per request and reply ({@link DatagramLoadConnection}). Owned by one loop thread.
 */
abstract sealed class Connection permits LoadConnection, DatagramLoadConnection {

    final int id;
    final int position;
    final EventLoop loop;
    private final SelectableChannel channel;
    private SelectionKey key;
    private boolean writeInterest;
    private boolean open = true;

    // Open loop: requests that are due by the schedule but wait for room under the depth cap.
    long owed;
    boolean dirty;

    Connection(int id, int position, EventLoop loop, SelectableChannel channel) {
        this.id = id;
        this.position = position;
        this.loop = loop;
        this.channel = channel;
    }

    final void register(Selector selector) throws IOException {
        key = channel.register(selector, SelectionKey.OP_READ, this);
    }

    final boolean isOpen() {
        return open;
    }

    /** Reads what the socket has, verifies and times the replies, then issues what is now allowed. */
    abstract void onReadable(long now);

    abstract void onWritable(long now);

    /**
     * Issues as many requests as the depth allows (and, in open loop, as the schedule owes),
     * starting their clocks now, and sends them.
     */
    abstract void issue(long now);

    /** How far this connection got, for the report of its loss: "after 12 replies". */
    abstract String progress();

    /** Asks the selector to report the socket writable, or stops asking. */
    final void wantWrite(boolean want) {
        if (want != writeInterest) {
            writeInterest = want;
            key.interestOps(want ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    /** Gives the connection up for the rest of the run, once, and tells the loop why. */
    final void lose(String why) {
        if (!open) {
            return;
        }
        open = false;
        key.cancel();
        close();
        loop.lost(this, why + " after " + progress());
    }

    final void close() {
        open = false;
        try {
            channel.close();
        } catch (IOException ignored) {
            // The run is over for this socket; nothing more to learn from it.
        }
    }
}
