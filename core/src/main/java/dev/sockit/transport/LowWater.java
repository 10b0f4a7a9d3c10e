package dev.sockit.transport;

import dev.sockit.transport.linux.Descriptors;
import dev.sockit.transport.linux.Platform;
import dev.sockit.transport.linux.TcpOptions;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The receive low-water mark ({@code SO_RCVLOWAT}) of one discarding TCP connection that
 * streams ({@link Intake}): raised to {@link #MARK} while the stream flows, so that its reader
 * wakes for a quarter of a MiB at a time rather than for every segment, and lowered back to the
 * kernel's default (1) when the stream pauses, so that the fewer bytes that end it are read, and
 * counted, within {@link #PAUSE} or so, not only once more come or the peer closes.
 *
 * <p>Lowering the mark wakes a reader that waits on the old one when the bytes now suffice: the
 * kernel's {@code tcp_set_rcvlowat} stores the new mark, then calls {@code tcp_data_ready}, which
 * signals the socket readable if as many bytes wait as the mark asks. The JDK's poller waits
 * for that signal in {@code epoll_wait} on the reader's behalf, and unparks it.
 *
 * <p>A pause is a read that has waited {@link #PAUSE}: the reader stamps each read as it
 * begins and ends (two volatile writes), and one sweep for every raised mark of the process,
 * on the shared {@link Timer} thread, runs every {@link #PAUSE} while any mark is raised,
 * lowering those whose read has waited that long. The reader raises the mark again at its
 * next read of 64 KiB or more. All changes of the mark are under this object's monitor, each
 * system call before the state it makes, so that the kernel's mark and {@link #raised} agree.
 */
final class LowWater {

    /** The bytes a streaming reader waits for. */
    static final int MARK = 256 * 1024;
    /** How long a read waits on the raised mark before the mark comes down, and the sweep's period. */
    static final Duration PAUSE = Duration.ofMillis(10);

    /** For a connection where the mark cannot be set: not TCP over Linux x86_64, no native access, descriptor not found. */
    static final LowWater NONE = new LowWater(null, -1);

    private static final Set<LowWater> RAISED = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean SWEEP_SCHEDULED = new AtomicBoolean();

    private final SocketChannel channel;
    private final int fd;
    // System.nanoTime() as the reader entered a read; 0 outside one. Read by the sweep.
    private volatile long readingSince;
    private volatile boolean raised; // written under this
    private boolean off; // under this: the connection drains or closed; the mark stays down
    private volatile long pauseNanos = PAUSE.toNanos();

    private LowWater(SocketChannel channel, int fd) {
        this.channel = channel;
        this.fd = fd;
    }

    /**
     * The mark of a connected TCP {@code channel}, or {@link #NONE} where it cannot be set: not
     * Linux x86_64, or native access not enabled (without it the JDK would warn of the first
     * call, or refuse it: the reader does without), or the descriptor not found. Finding the
     * descriptor looks at every open one, so this is asked once per connection.
     */
    static LowWater of(SocketChannel channel) {
        if (!Platform.usable()) {
            return NONE;
        }
        try {
            return new LowWater(channel, Descriptors.of(channel));
        } catch (IOException | RuntimeException notHere) {
            return NONE; // reads still work, one wake-up per arrival as for any connection
        }
    }

    boolean raised() {
        return raised;
    }

    /** The reader enters a read. */
    void reading(long now) {
        readingSince = now;
    }

    /** The reader's read returned. */
    void read() {
        readingSince = 0;
    }

    /** The reader streams: wake it only for {@link #MARK} bytes, until a pause, a drain or the close. */
    synchronized void raise() {
        if (this == NONE || off || raised || !channel.isOpen()) {
            return;
        }
        try {
            TcpOptions.receiveLowWater(fd, MARK);
        } catch (IOException | RuntimeException refused) {
            return; // reads on as before
        }
        raised = true;
        RAISED.add(this);
        scheduleSweep();
    }

    /**
     * Lowers the mark for good, from any thread: a drain, whose reader must wake for the bytes
     * that are there, or a close ({@code closing}: the socket is going, no call is made).
     */
    synchronized void stop(boolean closing) {
        off = true;
        lower(!closing);
        RAISED.remove(this);
    }

    /** Keeps the mark raised through pauses: for a test of what else lowers it (a drain). */
    void keepThroughPauses() {
        if (this != NONE) {
            pauseNanos = Long.MAX_VALUE;
        }
    }

    /**
     * Puts the mark back to the kernel's default, which wakes a reader that waits for more
     * than has come. The descriptor may have been closed under a reader an instant before, and
     * another socket have taken its number: its mark is then set to the default, which is harmless.
     */
    private void lower(boolean call) {
        if (!raised) {
            return;
        }
        if (call && channel.isOpen()) {
            try {
                TcpOptions.receiveLowWater(fd, 1);
            } catch (IOException | RuntimeException closed) {
                // Closed under us: the reader is woken by the close itself.
            }
        }
        raised = false;
    }

    /** From the sweep: lowers the mark if the reader has waited {@link #PAUSE} in one read, or the socket closed. */
    private void sweep(long now) {
        long since = readingSince;
        if (channel.isOpen() && (since == 0 || now - since < pauseNanos)) {
            return;
        }
        synchronized (this) {
            // Raised and in RAISED change together, under this monitor: a mark the reader
            // raises again right after is not taken out of the sweep with the lowered one.
            lower(true);
            RAISED.remove(this);
        }
    }

    private static void scheduleSweep() {
        if (SWEEP_SCHEDULED.compareAndSet(false, true)) {
            Timer.after(PAUSE, LowWater::sweep);
        }
    }

    private static void sweep() {
        long now = System.nanoTime();
        for (LowWater mark : RAISED) {
            mark.sweep(now);
        }
        SWEEP_SCHEDULED.set(false);
        if (!RAISED.isEmpty()) {
            scheduleSweep(); // a mark raised after the loop and before the flag went down is seen here
        }
    }
}
