package dev.sockit;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An observer that remembers what the server's handlers received and why connections closed,
 * so that a test can wait until the server has seen something rather than guess how long.
 */
final class Received implements Observer {

    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<CloseReason> closes = new LinkedBlockingQueue<>();
    final BlockingQueue<String> drops = new LinkedBlockingQueue<>();

    @Override
    public void received(Connection connection, Message message) {
        messages.add(message.text());
    }

    @Override
    public void closed(Connection connection, CloseReason reason) {
        closes.add(reason);
    }

    @Override
    public void datagramDropped(java.net.SocketAddress peer, String reason) {
        drops.add(reason);
    }

    /** Waits until the server has received {@code text}. */
    void await(String text) throws InterruptedException {
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); ; ) {
            String next = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("the server did not receive \"" + text + "\" within 5 s");
            }
            if (next.equals(text)) {
                return;
            }
        }
    }

    static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(5, TimeUnit.SECONDS);
        if (item == null) {
            throw new AssertionError("nothing came within 5 s");
        }
        return item;
    }
}
