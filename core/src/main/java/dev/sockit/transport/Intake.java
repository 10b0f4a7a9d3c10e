package dev.sockit.transport;

import dev.sockit.CloseReason;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The read side of a stream connection: its read buffer, and the pacing of its reads. Owned
 * by the one thread in {@code receive()}; only {@link #drain} and {@link #unread()} may be
 * called from others, and they touch nothing but the kernel and a volatile.
 *
 * <p>The buffer follows the traffic: one byte while a quiet connection waits, small when it
 * wakes, doubled while reads fill it, reused while it is busy. Two measured choices keep one
 * carrier thread fair and fast (docs/architecture.md, docs/performance.md): a reader yields
 * after 16 messages, and one whose peer answers within 50 µs checks for input before it parks.
 */
final class Intake {

    /** What {@link #fill} returns when the peer stayed silent for the wait set by {@link #waitAtMost}. */
    static final int SILENT = -2;
    /**
     * What {@link #fill} returns when the peer stayed silent for that wait and the connection
     * waits on in its {@link WaitingRoom} without this thread, which must leave it untouched.
     */
    static final int GONE = -3;
    /** From {@link Owner#awaitInRoom} and {@link Owner#leaveRoom}: input is there, read it now. */
    static final int READ = 0;
    /** From {@link Owner#leaveRoom}: a writer or a closer took the connection out; wait again. */
    static final int AGAIN = 1;

    /** What the intake asks of its connection. */
    interface Owner {
        /** The connection turned quiet: its write buffer goes too, if empty. */
        void turnedQuiet();

        /**
         * An idle wait in the connection's {@link WaitingRoom}, for the room's delay at most:
         * reads at once, without waiting, what has come into {@code in}; if nothing has,
         * registers the connection in the room and parks this thread until the room hands it
         * back. Returns the bytes read, -1 at end of stream, {@link #READ} when input is there
         * (or the connection must be read to see its end), or {@link #SILENT} when the delay
         * passed without input: the connection then still waits in the room, and
         * {@link #leaveRoom} must follow.
         */
        int awaitInRoom(ByteBuffer in) throws IOException;

        /**
         * This thread leaves the connection waiting in the room: {@link #GONE}, unless the room
         * let it go meanwhile ({@link #READ} or {@link #AGAIN}). Called after {@link #SILENT}.
         */
        int leaveRoom();

        /**
         * True when the room serves this connection's messages itself ({@link StreamCore#serveInline}):
         * a reader that finds nothing to read hands it there at once.
         */
        boolean inline();

        /**
         * How long a read whose peer answered within this time last round checks for input,
         * on the CPU, before it waits: the connection settings' busy poll, or, by default, 50 µs
         * unless the room serves the connection in line; 0 for never.
         */
        long busyPollNanos();
    }

    private static final int INITIAL_READ_BUFFER = 8 * 1024;
    // A busy connection's read buffer doubles while reads fill it, up to this: one read then
    // takes a whole pipelined batch (16 requests of 1 KiB), as Netty's adaptive buffer does.
    private static final int MAX_GROWN_READ_BUFFER = 64 * 1024;
    // A connection whose handler forgets its input unread (Handlers.discard() over raw: see
    // discarding()) grows its buffer on to this, direct from DIRECT_FROM on: the kernel fills a
    // direct buffer itself, where a heap buffer is read through a temporary direct one and every
    // byte copied once more; nothing is cut out of it, so that copy was the only one left.
    private static final int DISCARD_READ_BUFFER = 512 * 1024;
    private static final int DIRECT_FROM = 128 * 1024;
    // Once a read brings this much, a discarding TCP connection asks the kernel (SO_RCVLOWAT)
    // to wake it only when 256 KiB wait (LowWater): a wait costs a park and two thread
    // wake-ups, which between 64 KiB reads took more CPU than the reads (docs/performance.md,
    // "Bulk transfer"). When the stream pauses (a read waits 10 ms) the mark comes down, so
    // fewer bytes that end it are read and counted then; a drain and a close lower it for good.
    private static final int STREAM_READ = 64 * 1024;
    // A quiet connection reads what wakes it into a buffer this small, and grows it only for
    // a message longer than this; most single lines fit.
    static final int QUIET_READ_BUFFER = 256;
    // An idle TCP connection waits for its next input in a buffer of one byte: it holds 80
    // bytes of buffer while it waits (the 56-byte ByteBuffer and a 24-byte array) rather than
    // 328 (the array of 256 is 272). The byte that wakes it moves to a quiet buffer, and a
    // read takes the rest of what arrived with it at once: two system calls more per
    // wake-up (FIONREAD and that read), only after an idle wait.
    private static final int WAITING_READ_BUFFER = 1;
    // A read that waited this long for input makes the connection quiet.
    private static final long QUIET_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    // The one-byte wait costs two system calls more when it ends, so it is kept for a
    // connection that is idle, not merely quiet: one new, or just opened, or whose last wait
    // lasted this long. A loaded server's connections, whose waits can pass 100 ms under a
    // long queue, then go on waiting in the quiet buffer and pay nothing more per message.
    private static final long IDLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    // Virtual threads are not time-sliced: a connection whose peer keeps its socket full never
    // waits, and would keep the carrier from everyone else. After this many messages it
    // yields, as Netty's event loop moves on after 16 reads from one channel.
    private static final int MESSAGES_PER_TURN = 16;
    // Parking a virtual thread and waking it costs two platform-thread wake-ups (the JDK's
    // master poller, then the carrier), more than a loopback round trip. So with a busy poll
    // (Owner.busyPollNanos: by default 50 µs for a connection with a thread of its own, none for
    // one the waiting room serves in line, whose wake-up is an epoll_wait as Netty's) a connection
    // whose peer answered within it last round checks for input, yielding to every other
    // runnable thread between checks, for up to that long before it parks: a faster round trip,
    // and cheaper than a parked thread's wake-up (docs/performance.md, issue 16). Any
    // other connection that is not quiet yields once before its read, a turn behind the threads
    // that are ready. Neither follows a read that returned at once (input was waiting): it says
    // nothing about the peer's pace, and asking the kernel first would only add a system call
    // to the next read.
    private static final long SPIN_FROM_NANOS = TimeUnit.MICROSECONDS.toNanos(5);

    private final SocketChannel channel;
    private final TlsChannel tls; // null: read the channel itself
    private final Owner owner;
    private final MemoryBudget budget;
    // The buffer capacity counted against the budget; returned once when the connection closes.
    private volatile int held; // an int, as a buffer's capacity is: every connection holds these fields
    private volatile boolean budgetReturned;
    // TCP's sockets can be asked how many bytes wait unread; Unix sockets cannot.
    private final boolean probeable;
    // For TCP, a view that asks the kernel how many bytes wait unread, without reading or
    // parking (the spin, a drain and the watchdogs ask it). Made when first asked: the JDK's
    // socket adaptor under it holds 136 bytes, which a connection that never speaks never needs;
    // an idle wait in the waiting room needs none either (awaitInRoom).
    private volatile InputStream unreadProbe;

    // Each connection gets its own buffer, even an empty one: one shared across connections
    // would be compacted by all of them at once.
    private ByteBuffer in = ByteBuffer.allocate(0);
    private boolean endOfStream;
    // A read returned the end of the stream, not because a drain shut input down (after which
    // the peer's bytes still arrive, unread), or found the channel closed here: all the peer
    // sent was read and nothing more can come, so nothing waits unread. By the reader only.
    private boolean readTheEnd;
    // Until the first read returns, and whenever a read waited long, the next wait uses the
    // one-byte waiting buffer (the small quiet buffer for TLS, Unix, and while draining);
    // `filledLast` (the last read filled the buffer) makes it grow.
    private volatile boolean quiet = true; // also read by the push drainer
    private boolean filledLast;
    // Set by discarding(): nothing is cut from the buffer, nobody waits for an answer.
    private boolean discarding;
    // A discarding TCP connection's receive low-water mark: null until its first read of
    // STREAM_READ, LowWater.NONE where it cannot be set. Written by the reader and read by
    // drain() and the close under this object's monitor, as is lowWaterOff (a drain or a close
    // began: the mark is not raised again); the reader reads its own writes unlocked.
    private LowWater lowWater;
    private boolean lowWaterOff;
    private boolean lowWaterHeld; // for a test: a pause does not lower the mark
    private int messagesThisTurn;
    private long lastWait = Long.MAX_VALUE;
    // Set by waitAtMost() (0: never): an idle connection's wait (new, back from the waiting
    // room, or its last wait a second or more) is a park in the room for this long
    // (awaitInRoom); a quiet one's ends after the socket adaptor's read timeout, this long too,
    // and fill() then returns SILENT. Only quiet waits: a timed park costs the JDK a timer
    // task, which a busy connection's every wait would pay.
    private int waitMillis;
    // The last wait ended SILENT: the silence goes on in the waiting room, so the wait that
    // follows it, however short, is counted as a long one and leaves the connection quiet.
    private boolean back;
    private volatile long bytesIn;

    private volatile CloseReason drainReason;
    // Socket bytes the reader may still take while draining: those that were waiting when
    // drain() was called. Written by drain() before drainReason, then owned by the reader.
    private int drainBudget;
    // Where the reader is, for a stop: in a read of the socket (IN_READ), or not (OUT); a stop's
    // cut-off found it in its read and left the interrupt until the read returns (CUT_OFF).
    // A byte, through READ_STATE: it fits in the room an Intake's fields leave (an idle
    // connection holds one), where an int would not.
    @SuppressWarnings("unused") // through READ_STATE
    private volatile byte readState;
    private static final byte OUT = 0;
    private static final byte IN_READ = 1;
    private static final byte CUT_OFF = 2;
    private static final VarHandle READ_STATE;

    static {
        try {
            READ_STATE = MethodHandles.lookup().findVarHandle(Intake.class, "readState", byte.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * @param owner  told by the reader when the connection turns quiet, to release the write
     *               buffer too; waits in the waiting room for it
     * @param budget what every read buffer of the server holds together, at most
     */
    Intake(SocketChannel channel, TlsChannel tls, Owner owner, MemoryBudget budget) throws IOException {
        this.channel = channel;
        this.tls = tls;
        this.owner = owner;
        this.budget = budget;
        this.probeable = channel.getRemoteAddress() instanceof InetSocketAddress;
    }

    /**
     * From now on a quiet TCP connection's wait ends after {@code limit} without input: an
     * idle one (new, back from the waiting room, or its last wait a second or more) waits in
     * its {@link WaitingRoom} from the start, its thread parked there for {@code limit} at most
     * ({@link Owner#awaitInRoom}), and stays there without it when the limit passes
     * ({@link #fill} returns {@link #GONE}); a merely quiet one (its last wait 100 ms or more)
     * reads with a timeout through the channel's socket adaptor, and {@link #fill} returns
     * {@link #SILENT} when it passes. Also gives the buffer back that {@link #giveUpBuffer}
     * gave up. By the reader.
     */
    void waitAtMost(Duration limit) {
        if (in == null) {
            in = ByteBuffer.allocate(0); // what it held was empty: the next wait makes its own
        }
        waitMillis = (int) limit.toMillis();
    }

    /**
     * The reader leaves while the connection waits without a thread: the read buffer (empty:
     * it waited for input) goes, so that a waiting connection holds none. {@link #waitAtMost}
     * gives it back; nothing but the reader touches it meanwhile ({@link #drain} and
     * {@link #unread} ask the kernel only).
     */
    void giveUpBuffer() {
        try {
            resize(0);
        } catch (MemoryBudget.Exceeded never) {
            throw new AssertionError("a smaller buffer was refused", never); // only growth can be refused
        }
        in = null;
    }

    /** The room read these bytes for the connection (inline). */
    void countIn(int n) {
        bytesIn += n;
    }

    /**
     * What the room read and did not serve in line: the thread that serves the connection
     * next decodes it first; {@code waited}, how long the peer took to send it.
     */
    void keep(ByteBuffer rest, long waited) throws MemoryBudget.Exceeded {
        in = ByteBuffer.allocate(0);
        moveTo(Math.max(QUIET_READ_BUFFER, rest.remaining()));
        in.put(rest).flip();
        quiet = false;
        lastWait = waited; // a quick peer's: the thread spins for its next message
    }

    /** The read buffer, in read mode: what has arrived and is not yet decoded. */
    ByteBuffer buffer() {
        return in;
    }

    /**
     * The handler forgets what this connection reads, unread: from now on a busy read buffer
     * grows to {@code DISCARD_READ_BUFFER}, direct, the reader never spins (no peer waits for an
     * answer, so the spin would only burn what a bulk stream's reader leaves over), and a TCP
     * stream raises its receive low-water mark ({@link LowWater}) while it flows.
     */
    void discarding() {
        discarding = true;
    }

    /** One more message was taken from the buffer: it counts towards this turn. */
    void tookMessage() {
        messagesThisTurn++;
    }

    boolean endOfStream() {
        return endOfStream;
    }

    /**
     * True when a read returned the peer's end of the stream, or found the socket closed here: no
     * byte waits unread in the kernel, and none will come, so a close need not ask it. By the
     * reader, or the thread that closes where no reader is.
     */
    boolean readTheEnd() {
        return readTheEnd;
    }

    /** The reader ends: no more input will be taken (end of stream, a farewell, a close). */
    void markEnded() {
        endOfStream = true;
    }

    boolean quiet() {
        return quiet;
    }

    long bytesIn() {
        return bytesIn;
    }

    /** The reason a drain gave, or null. */
    CloseReason drainReason() {
        return drainReason;
    }

    /**
     * An opening (the WebSocket upgrade) is over: the conversation in its framing starts
     * quiet, as a new connection's does. Its first wait then takes the small buffer, and the
     * opening's go back: the request's, which a browser's headers (over 256 bytes) grew to
     * 8 KiB and an idle connection would otherwise keep while it waits, and the answer's
     * write buffer with it ({@link Owner#turnedQuiet}).
     */
    void openingDone() {
        quiet = true;
        lastWait = Long.MAX_VALUE; // idle, as a new connection is: the one-byte wait, or the room's
    }

    /**
     * Puts bytes that were read before the connection was made (the client's first bytes,
     * read together with a PROXY header) into the read buffer, to be decoded before any read.
     *
     * @throws MemoryBudget.Exceeded when the server's memory budget cannot hold them
     */
    void preload(ByteBuffer early) throws MemoryBudget.Exceeded {
        if (!early.hasRemaining()) {
            return;
        }
        int capacity = Math.max(QUIET_READ_BUFFER, early.remaining());
        resize(capacity);
        bytesIn += early.remaining();
        in = ByteBuffer.allocate(capacity).put(early).flip();
    }

    /**
     * Reads once into the read buffer: a one-byte one when the connection is quiet and
     * nothing is buffered (then a small one for the rest), a larger one while reads fill it or
     * a message needs the room. Returns the bytes read, or -1 at end of stream (the peer's, or
     * the end of a drain).
     *
     * @throws IOException when the socket broke; the buffer stays readable
     */
    int fill() throws IOException {
        if (messagesThisTurn >= MESSAGES_PER_TURN) {
            messagesThisTurn = 0;
            Thread.yield();
        }
        in.compact();
        boolean idle = quiet && in.position() == 0; // no partial message either
        if (idle && lastWait >= IDLE_AFTER_NANOS && probeable && tls == null && drainReason == null) {
            return waitMillis > 0 ? awaitInRoom() : awaitInput();
        }
        if (idle) {
            if (in.capacity() != QUIET_READ_BUFFER) {
                moveTo(QUIET_READ_BUFFER);
                owner.turnedQuiet();
            }
        } else if (!in.hasRemaining()
                || (filledLast && in.capacity() < (discarding ? DISCARD_READ_BUFFER : MAX_GROWN_READ_BUFFER))) {
            // The decoder bounds how large a partial message may get, so this stays bounded.
            moveTo(Math.max(INITIAL_READ_BUFFER, in.capacity() * 2));
        }
        int room = in.remaining();
        long started = System.nanoTime();
        boolean heard = false; // the spin saw input waiting
        if (!discarding && tls == null && canProbe() && lastWait >= SPIN_FROM_NANOS && !quiet) {
            long busyPoll = owner.busyPollNanos();
            if (lastWait < busyPoll) {
                // A quick peer gets the whole spin.
                heard = spinForInput(started + busyPoll);
            } else {
                // Any other busy one a single turn behind the threads that are ready, which on
                // a loaded server is often long enough, then the read itself: it takes what
                // came, or finds nothing and parks. Asking the kernel first (FIONREAD) only
                // added a system call to every message (docs/performance.md, issue 16).
                Thread.yield();
            }
        }
        if (!heard && !idle && in.position() == 0 && drainReason == null && !discarding
                && tls == null && probeable && owner.inline() && unread() == 0) {
            // Nothing came and nothing is partial: the room serves it from here, without a thread.
            // Not asked again after a spin that saw input come. Asked after a read that found its
            // input waiting too: a read that ends a burst or a long message finds it so, and a
            // connection that then falls silent would hold its thread, parked in its read.
            in.flip();
            return SILENT;
        }
        int n = idle && waitMillis > 0 && drainReason == null ? readWithin() : readOnce();
        if (n == SILENT) {
            return silent();
        }
        filledLast = n == room;
        lastWait = System.nanoTime() - started;
        quiet = lastWait >= QUIET_AFTER_NANOS;
        in.flip();
        if (n < 0) {
            endOfStream = true;
            readTheEnd = drainReason == null; // a drain's shutdown ends reads, not the peer's input
        } else {
            bytesIn += n;
            if (discarding && n >= STREAM_READ) {
                streaming();
            }
        }
        return n;
    }

    /**
     * A quiet TCP connection's wait: in a buffer of one byte, the only one it holds while it
     * waits. The byte that ends the wait moves to a quiet buffer, and what arrived with it
     * follows, read without waiting (the kernel says how much there is), so that a read still
     * returns all that had arrived: one piece of raw bytes is not split in two. Returns the
     * bytes read, or -1 at end of stream.
     */
    private int awaitInput() throws IOException {
        if (in.capacity() != WAITING_READ_BUFFER) {
            moveTo(WAITING_READ_BUFFER);
            owner.turnedQuiet();
        }
        long started = System.nanoTime();
        int n = readOnce();
        lastWait = back ? Long.MAX_VALUE : System.nanoTime() - started;
        back = false;
        quiet = lastWait >= QUIET_AFTER_NANOS;
        filledLast = false;
        if (n < 0) {
            in.flip();
            endOfStream = true;
            readTheEnd = drainReason == null; // a drain's shutdown ends reads, not the peer's input
            return n;
        }
        bytesIn += n;
        moveTo(QUIET_READ_BUFFER);
        if (unread() > 0) {
            // Returns at once: the bytes are there, and only this thread reads. Closed under
            // the reader (-1), the byte it has is still delivered, and the next read ends.
            int more = Math.max(readOnce(), 0);
            bytesIn += more;
            n += more;
        }
        filledLast = !in.hasRemaining();
        in.flip();
        return n;
    }

    /**
     * An idle TCP connection's wait in its waiting room: its thread parks there for the room's
     * delay at most, holding the quiet buffer, which what has come is read into when the room
     * hands the connection back (no one-byte wait, and no FIONREAD: the socket adaptor that
     * asks it is never made for a connection that only waits). When the delay passes, the
     * thread gives its buffer up and leaves ({@link #GONE}), and the connection waits there on
     * without it. Returns the bytes read, or -1 at end of stream.
     */
    private int awaitInRoom() throws IOException {
        if (in.capacity() != QUIET_READ_BUFFER) {
            moveTo(QUIET_READ_BUFFER);
            owner.turnedQuiet();
        }
        long started = System.nanoTime();
        int room = in.remaining();
        int n;
        try {
            while ((n = owner.awaitInRoom(in)) == SILENT) {
                silent();
                giveUpBuffer();
                n = owner.leaveRoom();
                if (n == GONE) {
                    return GONE; // another thread may have the connection now: touch nothing
                }
                in = ByteBuffer.allocate(0);
                moveTo(QUIET_READ_BUFFER);
                if (n == READ) {
                    break;
                }
            }
        } catch (ClosedChannelException closedHere) {
            n = -1;
        } catch (MemoryBudget.Exceeded full) {
            throw full; // the buffer back after the wait was refused: left readable, empty
        } catch (IOException broken) {
            in.flip();
            endOfStream = true;
            throw broken;
        }
        if (n == READ) {
            n = readOnce(); // the room saw input (or an end): it returns at once
        }
        lastWait = back ? Long.MAX_VALUE : System.nanoTime() - started;
        back = false;
        quiet = lastWait >= QUIET_AFTER_NANOS;
        filledLast = n == room;
        in.flip();
        if (n < 0) {
            endOfStream = true;
            readTheEnd = drainReason == null; // a drain's shutdown ends reads, not the peer's input
        } else {
            bytesIn += n;
        }
        return n;
    }

    /** The peer was silent for the whole wait: nothing read, the buffer empty, in read mode. */
    private int silent() {
        in.flip();
        lastWait = Long.MAX_VALUE;
        quiet = true;
        back = true;
        filledLast = false;
        return SILENT;
    }

    /**
     * The quiet wait that ends: reads into the (quiet, heap) buffer through the socket adaptor's
     * stream, with the read timeout {@link #waitAtMost} gave; {@link #SILENT} when it passed
     * without input. The JDK's timed read leaves the channel open and blocking.
     */
    private int readWithin() throws IOException {
        READ_STATE.setVolatile(this, IN_READ); // for a stop, as readOnce()
        try {
            if (drainReason != null) {
                return readOnce(); // a drain came since fill() looked
            }
            java.net.Socket socket = channel.socket();
            if (socket.getSoTimeout() != waitMillis) {
                socket.setSoTimeout(waitMillis);
            }
            int n = probe().read(in.array(), in.arrayOffset() + in.position(), in.remaining());
            if (n > 0) {
                if (drainReason != null && drainBudget <= 0) {
                    return -1; // a drain came meanwhile, with nothing to take: it is ending the connection
                }
                in.position(in.position() + n);
            }
            return n;
        } catch (SocketTimeoutException silent) {
            return SILENT;
        } catch (ClosedChannelException closedHere) {
            return -1;
        } catch (IOException broken) {
            if (!channel.isOpen() || drainReason != null) {
                // Closed or drained here before the read began: the adaptor says "Socket is
                // closed" or "Socket input is shutdown" where the channel's read ends the stream.
                return -1;
            }
            in.flip();
            endOfStream = true;
            throw broken;
        } finally {
            if ((byte) READ_STATE.getAndSet(this, OUT) == CUT_OFF) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Reads once into the buffer, in write mode: the channel, or TLS, or a drain's share.
     * Returns -1 at end of stream or once closed here.
     *
     * <p>Marked as in a read meanwhile ({@link #readState}), for a stop: a drain that finds
     * the reader waiting here with nothing to take ends the connection from its own thread
     * (the farewell and our end, which the peer answers with its own), rather than shut the
     * input down, after which the kernel resets the connection for the peer's next bytes; and
     * a stop's cut-off leaves the reader's interrupt until the read returned, as an interrupted
     * channel read closes the socket at once. Bytes a read brings after the drain began, when
     * it left the reader nothing to take, are not delivered: the connection is ending.
     *
     * @throws IOException when the socket broke: the stream ends, the buffer is left readable
     */
    private int readOnce() throws IOException {
        // A read on a raised low-water mark is stamped, so that a pause can lower it.
        LowWater mark = lowWater;
        boolean stamped = mark != null && mark.raised();
        if (stamped) {
            mark.reading(System.nanoTime());
        }
        READ_STATE.setVolatile(this, IN_READ);
        try {
            if (drainReason != null) {
                // Interrupted by a stop's cut-off: a read would close the socket at once, and
                // the connection ends anyway; the interrupt stays for the handler.
                return Thread.currentThread().isInterrupted() ? -1 : readDraining();
            }
            int n = tls == null ? channel.read(in) : tls.read(in);
            if (n > 0 && drainReason != null) {
                // A drain came while this read waited: with nothing to take, it is ending the
                // connection, and what came after it is not delivered.
                if (drainBudget <= 0) {
                    in.position(in.position() - n);
                    return -1;
                }
                drainBudget -= n;
            }
            return n;
        } catch (ClosedChannelException closedHere) {
            return -1;
        } catch (IOException broken) {
            in.flip();
            endOfStream = true;
            throw broken;
        } finally {
            if ((byte) READ_STATE.getAndSet(this, OUT) == CUT_OFF) {
                Thread.currentThread().interrupt();
            }
            if (stamped) {
                mark.read();
            }
        }
    }

    /**
     * Replaces the read buffer, in write mode, by one of {@code capacity} bytes holding what it
     * held, once the budget allows it.
     */
    private void moveTo(int capacity) throws MemoryBudget.Exceeded {
        resize(capacity);
        boolean direct = discarding && capacity >= DIRECT_FROM && tls == null;
        in = (direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity)).put(in.flip());
    }

    /**
     * A discarding TCP connection's read brought {@code STREAM_READ} bytes or more: a stream.
     * Its reads wake only for {@link LowWater#MARK} bytes from now until it pauses. The first
     * time, finds the socket's descriptor (a look at every open one, so once per connection).
     */
    private void streaming() {
        LowWater mark = lowWater;
        if (mark == null) {
            LowWater found = probeable && tls == null ? LowWater.of(channel) : LowWater.NONE;
            synchronized (this) {
                lowWater = mark = lowWaterOff ? LowWater.NONE : found;
                if (lowWaterHeld) {
                    mark.keepThroughPauses();
                }
            }
        }
        if (mark != LowWater.NONE && !mark.raised()) {
            mark.raise(); // not NONE's: one object every connection without a mark shares
        }
    }

    /**
     * Lowers the low-water mark for good, from any thread: a drain (the reader must wake for the
     * bytes that are there), a lingering close, or the close ({@code closing}: no system call).
     */
    private void stopLowWater(boolean closing) {
        LowWater mark;
        synchronized (this) {
            lowWaterOff = true;
            mark = lowWater;
        }
        if (mark != null) {
            mark.stop(closing);
        }
    }

    /** For a test of what else lowers the low-water mark (a drain): a pause does not. Before the stream. */
    synchronized void keepLowWaterThroughPauses() {
        lowWaterHeld = true;
    }

    /**
     * Accounts for the read buffer becoming {@code capacity} bytes, or refuses it (buffer left
     * readable). Under this object's monitor, as {@link #returnBudget} is: a close from another
     * thread between the check and the reservation would give back what was held before and
     * leave the new reservation counted for good. A quiet TCP connection resizes after the byte
     * that wakes it arrives, so a close racing with a wake-up would otherwise hit it.
     */
    private synchronized void resize(int capacity) throws MemoryBudget.Exceeded {
        if (budgetReturned) {
            return; // closed: what it held went back already
        }
        long more = capacity - in.capacity();
        if (more > 0 && !budget.reserve(more)) {
            in.flip();
            throw budget.refusal(more, in.remaining());
        }
        if (more < 0) {
            budget.release(-more);
        }
        held = capacity;
    }

    /**
     * Waits for input without parking, at least one turn and until {@code deadline}: each turn
     * lets every other runnable virtual thread run, then asks the kernel whether bytes wait.
     * True when they do.
     */
    private boolean spinForInput(long deadline) {
        try {
            InputStream probe = probe();
            do {
                Thread.yield();
                if (probe.available() > 0) {
                    return true;
                }
            } while (System.nanoTime() < deadline && drainReason == null);
        } catch (IOException closedOrShutDown) {
            // The read that follows reports it.
        }
        return false;
    }

    /**
     * Reads while draining: only bytes the peer had sent when drain() was called, and never
     * by waiting, so a peer that keeps sending cannot hold a shutdown open; -1 once they are
     * taken. For TLS, what the reader itself holds (decrypted, or whole records) comes first.
     */
    private int readDraining() throws IOException {
        if (tls != null) {
            long before = tls.socketBytesRead();
            try {
                return tls.readNow(in, () -> drainBudget <= 0 ? 0 : unread());
            } finally {
                drainBudget -= (int) (tls.socketBytesRead() - before); // at most what it was: an int
            }
        }
        // unread() > 0 also means this read returns at once: only this thread takes the bytes.
        if (drainBudget <= 0 || unread() == 0) {
            return -1;
        }
        int limit = in.limit();
        in.limit(in.position() + (int) Math.min(in.remaining(), drainBudget));
        try {
            int n = channel.read(in);
            drainBudget -= Math.max(n, 0);
            return n;
        } finally {
            in.limit(limit);
        }
    }

    /**
     * Bytes that arrived and wait in the kernel for a read; 0 once input is shut down, and
     * always 0 for Unix sockets, whose channels have no socket view to ask (a Unix drain then
     * ends at what the read buffer already holds). Safe from any thread: it asks the kernel
     * only, never the reader's buffers.
     */
    int unread() {
        if (!probeable) {
            return 0;
        }
        try {
            return probe().available();
        } catch (IOException closedOrShutDown) {
            return 0;
        }
    }

    /** True when the kernel can be asked about unread bytes (TCP and TLS, not Unix). */
    boolean canProbe() {
        return probeable;
    }

    /**
     * The view that asks the kernel about unread bytes, made by the first to ask; two threads
     * asking at once may each make one, which costs nothing but the second's garbage.
     *
     * @throws IOException once the socket is closed or its input shut down (nothing to ask)
     */
    private InputStream probe() throws IOException {
        InputStream probe = unreadProbe;
        if (probe == null) {
            probe = channel.socket().getInputStream();
            unreadProbe = probe;
        }
        return probe;
    }

    /**
     * Stops reading for a graceful shutdown, from any thread: the reader takes what the
     * kernel held now, then sees end of stream. Touches no buffer of the reader's. True when
     * the reader waits in a read with nothing to take: nothing will wake it but the peer, and
     * the caller ends the connection for it ({@link StreamCore#drainFor}).
     */
    boolean drain(CloseReason reason) {
        // Not shutdownInput(): after it the JDK's read returns -1 at once, dropping the bytes
        // the kernel already holds, and the kernel answers the peer's later bytes with a reset
        // once our output ended (Linux: data after a shutdown of the input, in FIN_WAIT), or at
        // the close; the peer loses our last replies with it. So the reader takes the waiting
        // bytes (readDraining), then ends, and the input stays open for the close's linger.
        // A discarding reader may wait for a low-water mark the peer will not reach: it must
        // wake for the bytes that are there.
        stopLowWater(false);
        int waiting = unread();
        drainBudget = waiting;
        drainReason = reason; // before readState is read: a reader entering its read sees one or the other
        return waiting == 0 && (byte) READ_STATE.getVolatile(this) != OUT;
    }

    /**
     * A drain's wake-up for a reader that has not begun reading (a TLS handshake, a handler
     * before its first receive): the input shut down, as it has no read to be found in.
     */
    void shutDownInput() {
        try {
            channel.shutdownInput();
        } catch (IOException ignored) {
            // Already closed or reset: the handler is ending anyway.
        }
    }

    /**
     * A lingering close's read of what the peer still sends, into {@code sink}, by the reader:
     * marked as in a read, as {@link #readOnce} is, so that a stop's cut-off leaves its
     * interrupt until the read returned. Returns -1 at the end of the stream.
     */
    int readToDiscard(ByteBuffer sink) throws IOException {
        READ_STATE.setVolatile(this, IN_READ);
        try {
            return channel.read(sink);
        } finally {
            if ((byte) READ_STATE.getAndSet(this, OUT) == CUT_OFF) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A stop's cut-off, from any thread: true when the reader is in its read, whose end the
     * close brings (the peer's answer, or the linger's timer), and which takes the interrupt
     * meant for it when it returns; false when the handler may be interrupted now.
     */
    boolean deferInterrupt() {
        return READ_STATE.compareAndSet(this, IN_READ, CUT_OFF) || (byte) READ_STATE.getVolatile(this) == CUT_OFF;
    }

    /** Gives up the buffer when the connection closes; a lingering close may reuse it first. */
    ByteBuffer release() {
        stopLowWater(false); // the lingering close reads what still comes, as it comes
        ByteBuffer last = in;
        in = ByteBuffer.allocate(0);
        return last;
    }

    /** Gives the buffer's share of the memory budget back, once, from whichever thread closes. */
    synchronized void returnBudget() {
        stopLowWater(true);
        if (!budgetReturned) {
            budgetReturned = true;
            budget.release(held);
        }
    }
}
