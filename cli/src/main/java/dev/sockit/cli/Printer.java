package dev.sockit.cli;

import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Prints lines for people on a thread of its own, so that a connection's thread never waits
 * on a terminal. When the terminal cannot keep up the queue fills, and further lines are
 * dropped and counted rather than slow the server down; the count is printed once there is
 * room again. Lines go to a stream, or to any line sink: at the server's console, JLine's
 * {@code printAbove}, so that they appear above the operator's prompt.
 */
final class Printer implements AutoCloseable {

    private static final int CAPACITY = 16 * 1024;
    private static final String END = new String("end of output");

    private final Consumer<String> sink;
    private final Runnable flush;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private volatile LongFunction<String> droppedNotice = lost -> "(" + lost
            + " lines not shown: output could not keep up; use --quiet)";
    private final Thread thread;

    Printer(PrintStream out) {
        this(out::println, out::flush);
    }

    /** Prints each line by handing it to {@code sink}, which must not need flushing. */
    Printer(Consumer<String> sink) {
        this(sink, () -> {});
    }

    private Printer(Consumer<String> sink, Runnable flush) {
        this.sink = sink;
        this.flush = flush;
        this.thread = Thread.ofPlatform().name("sockit-printer").daemon(true).start(this::drain);
    }

    /** How to say that {@code lost} lines were not shown; set before the first line. */
    void onDropped(LongFunction<String> notice) {
        this.droppedNotice = notice;
    }

    /** Queues a line; never blocks. */
    void println(String line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        try {
            for (String line; (line = queue.take()) != END; ) {
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    sink.accept(droppedNotice.apply(lost));
                }
                sink.accept(line);
                if (queue.isEmpty()) {
                    flush.run();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flush.run();
        }
    }

    /** Prints what is queued, then stops; waits up to two seconds. */
    @Override
    public void close() {
        try {
            if (queue.offer(END, 2, TimeUnit.SECONDS)) {
                thread.join(2_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush.run();
    }
}
