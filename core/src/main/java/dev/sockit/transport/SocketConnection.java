package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.Connection;
import dev.sockit.ConnectionStats;
import dev.sockit.Heartbeat;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.OutboundLimit;
import dev.sockit.Peers;
import dev.sockit.framing.Framing;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Connection} over a stream socket channel (TCP or Unix domain) in blocking mode,
 * meant to be read by one virtual thread. The hot path:
 *
 * <pre>
 * receive(): decode from the read buffer → if nothing whole: flush replies, then one read()
 * send():    encode into the write buffer → write now, unless the reader has more input to
 *            work through (then its next wait flushes the whole batch in one write)
 * </pre>
 *
 * The buffers follow the traffic: small while the connection is quiet, doubled while reads
 * fill them, reused while it is busy; the only allocation per message is the message itself.
 * Two things keep one carrier thread fair and fast (docs/architecture.md): a reader yields
 * after 16 messages, and one whose peer answers within 50 µs checks for input before it parks.
 *
 * <p>Sends from any other thread (push, broadcast, chat) never write themselves: they join a
 * queue bounded by the {@link OutboundLimit}, which a short-lived virtual thread drains into
 * one write. So a peer that stops reading stalls nobody else, and what waits for it is bounded;
 * beyond the bound the limit's overflow policy disconnects it, drops the message, or makes
 * the sender wait. Heartbeat checks run on the shared {@link Timer} thread.
 */
public final class SocketConnection implements Drainable {

    private static final int INITIAL_READ_BUFFER = 8 * 1024;
    // A busy connection's read buffer doubles while reads fill it, up to this: one read then
    // takes a whole pipelined batch (16 requests of 1 KiB), as Netty's adaptive buffer does.
    private static final int MAX_GROWN_READ_BUFFER = 64 * 1024;
    // A quiet connection waits for input in a buffer this small, so that thousands of idle
    // connections hold a few hundred bytes each rather than kilobytes; most single lines fit.
    private static final int QUIET_READ_BUFFER = 256;
    // A read that waited this long for input makes the connection quiet.
    private static final long QUIET_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    // Virtual threads are not time-sliced: a connection whose peer keeps its socket full never
    // waits, and would keep the carrier from everyone else. After this many messages it
    // yields, as Netty's event loop moves on after 16 reads from one channel.
    private static final int MESSAGES_PER_TURN = 16;
    // Parking a virtual thread and waking it costs two platform-thread wake-ups (the JDK's
    // master poller, then the carrier), more than a loopback round trip. So a connection whose
    // peer answered within this time last round checks for input, yielding to every other
    // runnable thread between checks, for up to this long before it parks; any other connection
    // that is not quiet checks once, after one yield. 0 turns both off.
    private static final long SPIN_NANOS = Long.getLong("dev.sockit.spinMicros", 50) * 1000;
    // A read that returned at once (input was waiting) says nothing about the peer's pace,
    // and asking the kernel first would only add a system call to the next read.
    private static final long SPIN_FROM_NANOS = TimeUnit.MICROSECONDS.toNanos(5);
    private static final int INITIAL_WRITE_BUFFER = 8 * 1024;
    // A burst may grow the write buffer; past this size it is not kept once flushed.
    private static final int MAX_KEPT_WRITE_BUFFER = 64 * 1024;
    private static final ByteBuffer NO_BUFFER = ByteBuffer.allocate(0);
    // How long close() waits for a sender that holds the write lock before it cuts the socket.
    private static final long FAREWELL_LOCK_WAIT_MILLIS = 200;
    // A close must end even if the peer stops reading our last bytes.
    private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(2);
    // After an error we read and discard what the peer still sends, so that our error line
    // is not destroyed by the reset that closing with unread input would send.
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final int LINGER_MAX_BYTES = 1 << 20;

    private final long id;
    private final SocketChannel channel;
    // Null for plain TCP and Unix, whose reads and writes go to the channel itself: only TLS
    // connections pay for the wrapper.
    private final TlsChannel tls;
    private final Framing framing;
    private final Framing.Decoder decoder;
    private final Observer observer;
    private final OutboundLimit outbound;
    private final HeartbeatDetector heartbeat;
    private final String protocol;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final Instant openedAt = Instant.now();

    // Reader side: touched only by the thread in receive(), which is recorded in `reader`.
    private ByteBuffer in = NO_BUFFER;
    private boolean endOfStream;
    // Until the first read returns, and whenever a read waited long, the next wait uses the
    // small quiet buffer; `filledLast` (the last read filled the buffer) makes it grow.
    private volatile boolean quiet = true; // also read by the push drainer
    private boolean filledLast;
    private int messagesThisTurn;
    // How long the last read waited for input; and, for TCP, a view that asks the kernel how
    // many bytes wait unread, without reading or parking (the spin and drain() both ask it).
    private long lastWait = Long.MAX_VALUE;
    private final InputStream unreadProbe;
    private volatile Thread reader;
    private volatile long messagesIn;
    private volatile long bytesIn;

    // Writer side: guarded by writeLock.
    private final ReentrantLock writeLock = new ReentrantLock();
    private ByteBuffer out = NO_BUFFER;
    private volatile long messagesOut;
    private volatile long bytesOut;

    // Push side: messages (or encoded control frames, as byte[]) from other threads, waiting
    // for the drainer. The counters bound them; `draining` says a drainer is on its way.
    private final ConcurrentLinkedQueue<Object> pushed = new ConcurrentLinkedQueue<>();
    private final AtomicLong pushedBytes = new AtomicLong();
    private final AtomicLong pushedCount = new AtomicLong();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition room = roomLock.newCondition();
    private final AtomicLong dropped = new AtomicLong();
    private volatile ScheduledFuture<?> heartbeatCheck;
    // The write timeout: since when a write has waited for the peer to take bytes (0: no write
    // waits), watched by a check on the timer thread, so the hot path pays two volatile writes.
    private final long writeTimeoutNanos;
    private volatile long writingSince;
    private volatile ScheduledFuture<?> writeCheck;
    // Whether a write check is scheduled: only while writes happen, so an idle connection
    // keeps no timer task (19,000 idle connections ran 630 needless checks a second).
    private final AtomicBoolean writeWatched = new AtomicBoolean();
    private volatile CloseReason peerFarewell;

    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();
    private volatile CloseReason drainReason;
    // Bytes the reader may still take while draining: those that were waiting when drain()
    // was called. Written by drain() before drainReason, then owned by the reader.
    private long drainBudget;

    /**
     * Wraps a connected channel, TCP or Unix, which it configures and from then on owns.
     *
     * @throws IOException when the socket is already unusable (the peer reset it at once)
     */
    public SocketConnection(long id, SocketChannel channel, ConnectionSettings settings) throws IOException {
        this(id, channel, settings, null);
    }

    /**
     * Wraps a connected channel with TLS over it ({@code tls} wraps {@code channel}); the
     * handshake runs in {@link #start()}, on the caller's thread.
     *
     * @throws IOException when the socket is already unusable (the peer reset it at once)
     */
    public SocketConnection(long id, SocketChannel channel, ConnectionSettings settings, TlsChannel tls)
            throws IOException {
        this.id = id;
        this.channel = channel;
        this.tls = tls;
        this.framing = settings.framing();
        this.decoder = framing.decoder(new PeerControl());
        this.observer = settings.observer();
        this.outbound = settings.outbound();
        this.writeTimeoutNanos = settings.writeTimeout().toNanos();
        this.heartbeat = settings.heartbeat().watches() ? new HeartbeatDetector(settings.heartbeat(), System::nanoTime) : null;
        this.remote = channel.getRemoteAddress();
        this.local = channel.getLocalAddress();
        // A Unix channel has no TCP options to set, and Java would refuse them.
        this.protocol = tls != null ? "tls" : remote instanceof InetSocketAddress ? "tcp" : "unix";
        if (remote instanceof InetSocketAddress) {
            Tcp.configure(channel, settings.heartbeat().keepalive());
            unreadProbe = channel.socket().getInputStream();
        } else {
            unreadProbe = null;
        }
    }

    /**
     * Starts the conversation: for TLS, the handshake (bounded by its timeout); then the
     * framing's greeting, if it has one, and the heartbeat. Called once, before the handler runs.
     *
     * @throws TlsHandshakeException when the TLS handshake fails or times out, saying why
     */
    @Override
    public void start() throws IOException {
        if (tls != null) {
            tls.handshake();
        }
        byte[] greeting = framing.greeting();
        if (greeting != null) {
            enqueue(greeting, greeting.length, OutboundLimit.Overflow.BLOCK);
        }
        if (heartbeat != null) {
            scheduleHeartbeat();
        }
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Message receive() throws IOException {
        reader = Thread.currentThread();
        for (;;) {
            if (in.hasRemaining()) {
                Message message = decoder.decode(in);
                if (message != null) {
                    return received(message);
                }
            }
            if (endOfStream || peerFarewell != null) {
                Message last = closeReason.get() == null && peerFarewell == null ? decoder.finish(in) : null;
                endOfStream = true;
                return last == null ? null : received(last);
            }
            // Nothing whole is buffered: the replies to everything consumed so far leave now,
            // in one write, before we wait for more.
            flush();
            fill();
        }
    }

    private Message received(Message message) {
        messagesIn++;
        messagesThisTurn++;
        observer.received(this, message);
        return message;
    }

    /**
     * Reads once into the read buffer: a small one when the connection is quiet and nothing
     * is buffered, a larger one while reads fill it or a message needs the room.
     */
    private void fill() throws IOException {
        if (messagesThisTurn >= MESSAGES_PER_TURN) {
            messagesThisTurn = 0;
            Thread.yield();
        }
        in.compact();
        if (quiet && in.position() == 0) {
            if (in.capacity() != QUIET_READ_BUFFER) {
                in = ByteBuffer.allocate(QUIET_READ_BUFFER);
                releaseWriteBuffer();
            }
        } else if (!in.hasRemaining() || (filledLast && in.capacity() < MAX_GROWN_READ_BUFFER)) {
            // The decoder bounds how large a partial message may get, so this stays bounded.
            in = ByteBuffer.allocate(Math.max(INITIAL_READ_BUFFER, in.capacity() * 2)).put(in.flip());
        }
        int room = in.remaining();
        long started = System.nanoTime();
        if (SPIN_NANOS > 0 && tls == null && unreadProbe != null && lastWait >= SPIN_FROM_NANOS && !quiet) {
            // A quick peer gets the whole spin; any other busy one a single turn behind the
            // threads that are ready, which on a loaded server is often long enough.
            spinForInput(lastWait < SPIN_NANOS ? started + SPIN_NANOS : started);
        }
        int n;
        try {
            n = drainReason == null ? (tls == null ? channel.read(in) : tls.read(in)) : readDraining();
        } catch (ClosedChannelException closedHere) {
            n = -1;
        } catch (IOException broken) {
            in.flip();
            endOfStream = true;
            close(CloseReason.of(CloseReason.Code.BROKEN,
                    broken instanceof TlsHandshakeException ? broken.getMessage() : Errors.describe(broken)));
            return;
        }
        filledLast = n == room;
        lastWait = System.nanoTime() - started;
        quiet = lastWait >= QUIET_AFTER_NANOS;
        in.flip();
        if (n < 0) {
            endOfStream = true;
        } else {
            bytesIn += n;
            if (heartbeat != null) {
                heartbeat.heard();
            }
        }
    }

    /**
     * Waits for input without parking, at least one turn and until {@code deadline}: each turn
     * lets every other runnable virtual thread run, then asks the kernel whether bytes wait.
     */
    private void spinForInput(long deadline) {
        try {
            do {
                Thread.yield();
                if (unreadProbe.available() > 0) {
                    return;
                }
            } while (System.nanoTime() < deadline && drainReason == null);
        } catch (IOException closedOrShutDown) {
            // The read that follows reports it.
        }
    }

    /**
     * Reads while draining: only bytes the peer had sent when drain() was called, and never
     * by waiting, so a peer that keeps sending cannot hold a shutdown open; -1 once they are taken.
     */
    private int readDraining() throws IOException {
        // unread() > 0 also means this read returns at once: only this thread takes the bytes.
        if (drainBudget <= 0 || unread() == 0) {
            return -1;
        }
        int limit = in.limit();
        in.limit(in.position() + (int) Math.min(in.remaining(), drainBudget));
        try {
            int n = tls == null ? channel.read(in) : tls.read(in);
            drainBudget -= Math.max(n, 0);
            return n;
        } finally {
            in.limit(limit);
        }
    }

    /**
     * Bytes that arrived and wait in the kernel for a read; 0 once input is shut down, and
     * always 0 for Unix sockets, whose channels have no socket view to ask (a Unix drain then
     * ends at what the read buffer already holds).
     */
    private int unread() {
        if (unreadProbe == null) {
            return 0;
        }
        try {
            // TLS: what the reader has read and not yet decrypted or taken counts too.
            return unreadProbe.available() + (tls == null ? 0 : tls.buffered());
        } catch (IOException closedOrShutDown) {
            return 0;
        }
    }

    @Override
    public void send(Message message) throws IOException {
        if (Thread.currentThread() != reader) {
            push(message);
            return;
        }
        writeLock.lock();
        try {
            CloseReason reason = closeReason.get();
            if (reason != null) {
                throw new ClosedConnectionException(toString(), reason);
            }
            int length = framing.encodedLength(message);
            if (out.remaining() < length) {
                makeRoom(length);
            }
            framing.encode(message, out);
            messagesOut++;
            // With more input to work through, the reader flushes before it next waits.
            if (!in.hasRemaining()) {
                flushLocked();
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** A send from a thread other than the reader: queued, bounded, written by the drainer. */
    private void push(Message message) throws IOException {
        CloseReason reason = closeReason.get();
        if (reason != null) {
            throw new ClosedConnectionException(toString(), reason);
        }
        if (!enqueue(message, framing.encodedLength(message), outbound.overflow())) {
            CloseReason now = closeReason.get();
            if (now != null) {
                throw new ClosedConnectionException(toString(), now);
            }
        }
    }

    /**
     * Queues a message or encoded bytes for the drainer, applying the overflow policy when
     * the queue is full; false if it was not queued (dropped, or the connection closed).
     */
    private boolean enqueue(Object item, int length, OutboundLimit.Overflow overflow) {
        while (full(length)) {
            switch (overflow) {
                case DROP -> {
                    dropped.incrementAndGet();
                    observer.pushDropped(this);
                    return false;
                }
                case DISCONNECT -> {
                    CloseReason reason = CloseReason.of(CloseReason.Code.LIMIT, "not reading: " + pushedBytes.get()
                            + " bytes in " + pushedCount.get() + " messages are waiting for it, the outbound limit ("
                            + outbound.maxBytes() + " bytes or " + outbound.maxMessages() + " messages)");
                    if (closeElsewhere(reason)) {
                        observer.slowReader(this, reason);
                    }
                    return false;
                }
                case BLOCK -> {
                    if (!awaitRoom(length)) {
                        return false;
                    }
                }
            }
        }
        pushed.add(item);
        pushedBytes.addAndGet(length);
        pushedCount.incrementAndGet();
        if (draining.compareAndSet(false, true)) {
            Thread.ofVirtual().name("sockit-push-" + id).start(this::drainPushed);
        }
        return true;
    }

    /** True when {@code length} more bytes would pass the outbound limit; one message alone always fits. */
    private boolean full(int length) {
        long count = pushedCount.get();
        return count > 0 && (count >= outbound.maxMessages() || pushedBytes.get() + length > outbound.maxBytes());
    }

    private boolean awaitRoom(int length) {
        roomLock.lock();
        try {
            while (closeReason.get() == null && full(length)) {
                room.await(100, TimeUnit.MILLISECONDS);
            }
            return closeReason.get() == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            roomLock.unlock();
        }
    }

    /** The drainer: moves queued pushes into the write buffer and writes them, in one write when it can. */
    private void drainPushed() {
        for (;;) {
            writeLock.lock();
            try {
                movePushedLocked();
                if (out.position() > 0) {
                    flushLocked();
                }
                if (quiet) {
                    // A listener that only receives pushes would otherwise keep a write
                    // buffer per connection for good: 80 MiB across 10,000 of them.
                    out = NO_BUFFER;
                }
            } catch (IOException closed) {
                discardPushed();
            } finally {
                writeLock.unlock();
            }
            draining.set(false);
            // A push that came after the last poll but saw `draining` still set relies on us.
            if (pushed.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /** Encodes every queued push into the write buffer (which writes when it fills). */
    private void movePushedLocked() throws IOException {
        for (Object item; (item = pushed.poll()) != null; ) {
            int length;
            if (item instanceof Message message) {
                length = framing.encodedLength(message);
                if (out.remaining() < length) {
                    makeRoom(length);
                }
                framing.encode(message, out);
                messagesOut++;
            } else {
                byte[] bytes = (byte[]) item;
                length = bytes.length;
                if (out.remaining() < length) {
                    makeRoom(length);
                }
                out.put(bytes);
            }
            pushedBytes.addAndGet(-length);
            pushedCount.decrementAndGet();
            signalRoom();
        }
    }

    private void signalRoom() {
        if (outbound.overflow() == OutboundLimit.Overflow.BLOCK && roomLock.tryLock()) {
            try {
                room.signalAll();
            } finally {
                roomLock.unlock();
            }
        }
    }

    private void discardPushed() {
        pushed.clear();
        pushedBytes.set(0);
        pushedCount.set(0);
    }

    /** A quiet connection keeps no write buffer either; the next send allocates one. */
    private void releaseWriteBuffer() {
        if (writeLock.tryLock()) {
            try {
                if (out.position() == 0) {
                    out = NO_BUFFER;
                }
            } finally {
                writeLock.unlock();
            }
        }
    }

    private void makeRoom(int length) throws IOException {
        if (quiet && out.capacity() == 0) {
            // A quiet connection's first send in a while is most often its only one (a push,
            // a lone reply): a buffer of its size, not 8 KiB for each of 10,000 listeners.
            out = ByteBuffer.allocate(Math.max(length, QUIET_READ_BUFFER));
            return;
        }
        if (out.position() + length <= MAX_KEPT_WRITE_BUFFER) {
            // Grow rather than write half a batch: the batch goes out in one write when the reader waits.
            int capacity = Math.max(out.position() + length,
                    Math.min(MAX_KEPT_WRITE_BUFFER, Math.max(INITIAL_WRITE_BUFFER, out.capacity() * 2)));
            out = ByteBuffer.allocate(capacity).put(out.flip());
            return;
        }
        if (out.position() > 0) {
            flushLocked();
        }
        if (out.capacity() < length) {
            out = ByteBuffer.allocate(Math.max(length, INITIAL_WRITE_BUFFER));
        }
    }

    @Override
    public void flush() throws IOException {
        writeLock.lock();
        try {
            movePushedLocked();
            if (out.position() > 0) {
                flushLocked();
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void flushLocked() throws IOException {
        out.flip();
        try {
            if (writeTimeoutNanos > 0) {
                writingSince = nonZero(System.nanoTime());
                if (!writeWatched.get() && writeWatched.compareAndSet(false, true)) {
                    scheduleWriteCheck(writeTimeoutNanos);
                }
            }
            while (out.hasRemaining()) {
                int n = tls == null ? channel.write(out) : tls.write(out);
                bytesOut += n;
                if (n > 0 && writeTimeoutNanos > 0 && out.hasRemaining()) {
                    // The peer took some: a slow reader is not a stuck one, so the clock restarts.
                    writingSince = nonZero(System.nanoTime());
                }
            }
        } catch (IOException e) {
            CloseReason reason = CloseReason.of(CloseReason.Code.BROKEN, Errors.describe(e));
            if (closeReason.compareAndSet(null, reason)) {
                release(); // no farewell can reach a peer we cannot write to
            }
            throw new ClosedConnectionException(toString(), closeReason.get());
        } finally {
            writingSince = 0;
            out.clear();
            if (out.capacity() > MAX_KEPT_WRITE_BUFFER) {
                out = ByteBuffer.allocate(INITIAL_WRITE_BUFFER);
            }
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        flush();
        if (tls == null) {
            channel.shutdownOutput();
        } else {
            tls.shutdownOutput();
        }
    }

    /**
     * Stops reading for a graceful shutdown: {@link #receive()} returns what is already
     * buffered and what the peer had sent by now, then end of stream, so the handler finishes
     * its loop and its replies go out. The connection then closes with {@code reason}.
     */
    @Override
    public void drain(CloseReason reason) {
        // Not shutdownInput() alone: after it the JDK's read returns -1 at once, dropping the
        // bytes the kernel already holds, and closing over them then resets the peer, which
        // loses our replies too. So the reader takes the waiting bytes first (readDraining).
        int waiting = unread();
        drainBudget = waiting;
        drainReason = reason;
        if (waiting == 0) {
            // Nothing waits, so a reader blocked in read() would wait for good: wake it with
            // end of stream. Bytes arriving from here on came after the shutdown began.
            try {
                channel.shutdownInput();
            } catch (IOException ignored) {
                // Already closed or reset: the handler is ending anyway.
            }
        }
    }

    /** The reason given to {@link #drain}, or null. */
    @Override
    public CloseReason drainReason() {
        return drainReason;
    }

    /** True once the peer ended its stream (or the connection was closed under the reader). */
    @Override
    public boolean endOfStream() {
        return endOfStream;
    }

    @Override
    public void close(CloseReason reason) {
        if (closeReason.compareAndSet(null, reason)) {
            finishClose(reason);
        }
    }

    /**
     * Closes from a thread that must not wait (a sender, the timer): the reason is set at once,
     * so further sends fail fast, and the farewell and socket close happen on a virtual thread.
     * False when the connection was already closing.
     */
    private boolean closeElsewhere(CloseReason reason) {
        if (closeReason.compareAndSet(null, reason)) {
            Thread.ofVirtual().name("sockit-close-" + id).start(() -> finishClose(reason));
            return true;
        }
        return false;
    }

    private void finishClose(CloseReason reason) {
        ScheduledFuture<?> deadline = Timer.after(CLOSE_DEADLINE, () -> Tcp.closeQuietly(channel));
        try {
            // After a farewell (an error line, a close frame) read what the peer still sends
            // before closing, or unread input makes TCP reset and destroy the farewell.
            if (sayFarewell(reason) && mayLinger()) {
                linger();
            } else if (tls != null) {
                tls.closeOutbound(); // close_notify: the peer's read ends cleanly, not as a truncation
            }
        } finally {
            deadline.cancel(false);
            release();
        }
    }

    /** What every close ends with, however it came: nothing left scheduled, queued or waiting. */
    private void release() {
        ScheduledFuture<?> check = heartbeatCheck;
        if (check != null) {
            check.cancel(false);
        }
        ScheduledFuture<?> writes = writeCheck;
        if (writes != null) {
            writes.cancel(false);
        }
        Tcp.closeQuietly(channel);
        discardPushed();
        roomLock.lock();
        try {
            room.signalAll(); // senders waiting for room: there will be none
        } finally {
            roomLock.unlock();
        }
    }

    /** Flushes pending sends and the framing's farewell; true if there was a farewell and it was written. */
    private boolean sayFarewell(CloseReason reason) {
        try {
            if (!writeLock.tryLock(FAREWELL_LOCK_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return false; // a sender is stuck on a peer that does not read: cut it off
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            movePushedLocked(); // what was sent before the close goes before the farewell
            byte[] farewell = framing.farewell(reason);
            if (farewell != null) {
                if (out.remaining() < farewell.length) {
                    makeRoom(farewell.length);
                }
                out.put(farewell);
            }
            if (out.position() > 0) {
                flushLocked();
            }
            return farewell != null;
        } catch (IOException e) {
            return false;
        } finally {
            writeLock.unlock();
        }
    }

    // Only the reader may read; a close from another thread leaves the reader to wake up.
    private boolean mayLinger() {
        Thread current = reader;
        return current == null || current == Thread.currentThread();
    }

    private void linger() {
        ScheduledFuture<?> deadline = Timer.after(LINGER, () -> Tcp.closeQuietly(channel));
        try {
            if (tls != null) {
                tls.closeOutbound();
            }
            channel.shutdownOutput();
            // What the peer still sends is discarded unread, so TLS need not decrypt it.
            ByteBuffer sink = in.capacity() > 0 ? in.clear() : ByteBuffer.allocate(INITIAL_READ_BUFFER);
            for (long discarded = 0; discarded < LINGER_MAX_BYTES; sink.clear()) {
                int n = channel.read(sink);
                if (n < 0) {
                    break;
                }
                discarded += n;
            }
        } catch (IOException ignored) {
            // Reset, closed by the deadline, or already gone: the lingering is over either way.
        } finally {
            deadline.cancel(false);
            in = NO_BUFFER;
        }
    }

    private void scheduleHeartbeat() {
        if (closeReason.get() == null) {
            heartbeatCheck = Timer.after(heartbeat.nextCheck(), this::checkHeartbeat);
            // A close between the check above and the assignment missed this task: cancel it here.
            if (closeReason.get() != null) {
                heartbeatCheck.cancel(false);
            }
        }
    }

    /** On the timer thread: must not block, so closing and pinging go through other threads. */
    private void checkHeartbeat() {
        HeartbeatDetector.Action action = heartbeat.check();
        switch (action) {
            case PING -> {
                byte[] ping = framing.ping(Long.toString(heartbeat.now()).getBytes(StandardCharsets.US_ASCII));
                enqueue(ping, ping.length, OutboundLimit.Overflow.DROP);
            }
            case CLOSE_IDLE, CLOSE_NO_HEARTBEAT -> {
                closeElsewhere(CloseReason.of(CloseReason.Code.TIMEOUT, heartbeat.reason(action)));
                return;
            }
            case NOTHING -> { }
        }
        scheduleHeartbeat();
    }

    private void scheduleWriteCheck(long delayNanos) {
        if (closeReason.get() == null) {
            writeCheck = Timer.after(Duration.ofNanos(delayNanos), this::checkWrite);
        }
    }

    /**
     * On the timer thread: closes the connection when a write has waited the write timeout
     * for the peer to take a byte. Closing the channel wakes the blocked writer, whose send
     * then fails with this reason. Checks again when the oldest waiting write would time out,
     * so a stuck write is found within the timeout, never later; stops when no write waits
     * (the next write schedules a check again).
     */
    private void checkWrite() {
        long since = writingSince;
        if (since == 0) {
            writeWatched.set(false);
            // A write that began after the read above may have seen the flag still set, and
            // relies on this check; one that began after the set schedules its own.
            since = writingSince;
            if (since == 0 || !writeWatched.compareAndSet(false, true)) {
                return;
            }
        }
        long waited = since == 0 ? 0 : System.nanoTime() - since;
        if (waited >= writeTimeoutNanos) {
            closeElsewhere(CloseReason.of(CloseReason.Code.TIMEOUT, "write timeout: the peer took none of our bytes for "
                    + Durations.format(Duration.ofNanos(writeTimeoutNanos)) + "; it is not reading"));
            return;
        }
        scheduleWriteCheck(writeTimeoutNanos - waited);
    }

    private static long nonZero(long nanos) {
        return nanos == 0 ? 1 : nanos;
    }

    /** What the decoder reports besides messages: answered here, never seen by handlers. */
    private final class PeerControl implements Framing.Control {
        @Override
        public void pinged(byte[] payload) {
            byte[] pong = framing.pong(payload);
            enqueue(pong, pong.length, OutboundLimit.Overflow.DROP);
        }

        @Override
        public void ponged(byte[] payload) {
            if (heartbeat != null) {
                try {
                    heartbeat.ponged(Long.parseLong(new String(payload, StandardCharsets.US_ASCII)));
                } catch (NumberFormatException notOurs) {
                    heartbeat.heard(); // a pong we did not ask for still proves the peer alive
                }
            }
        }

        @Override
        public void closing(int code, String reason) {
            peerFarewell = CloseReason.of(CloseReason.Code.PEER_CLOSED,
                    "peer closed: " + (reason.isEmpty() ? "code " + code : reason));
        }
    }

    /** The reason the peer gave in its close frame, or null. */
    public CloseReason peerFarewell() {
        return peerFarewell;
    }

    @Override
    public Optional<Duration> roundTrip() {
        return heartbeat == null ? Optional.empty() : Optional.ofNullable(heartbeat.roundTrip());
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public SocketAddress local() {
        return local;
    }

    @Override
    public SocketAddress remote() {
        return remote;
    }

    @Override
    public ConnectionStats stats() {
        return new ConnectionStats(openedAt, messagesIn, messagesOut, bytesIn, bytesOut, dropped.get(), pushedBytes.get());
    }

    @Override
    public boolean isOpen() {
        return closeReason.get() == null;
    }

    @Override
    public CloseReason closeReason() {
        return closeReason.get();
    }

    @Override
    public String toString() {
        return "connection " + id + " with " + Peers.describe(remote);
    }
}
