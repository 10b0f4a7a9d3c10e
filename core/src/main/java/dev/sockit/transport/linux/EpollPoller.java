package dev.sockit.transport.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An edge-triggered epoll and the platform thread that waits in it. Each socket is registered
 * once, for input, output and the peer's half-close ({@code EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET}),
 * and never re-armed: an edge only marks the socket ready and unparks whichever virtual thread
 * waits on it ({@link EpollSocketChannel#ready}). The JDK's own poller re-arms a one-shot
 * registration with {@code epoll_ctl} every time a read finds nothing; this one costs no system
 * call per wait besides the shared {@code epoll_wait}.
 *
 * <p>A fixed few exist per process ({@code dev.sockit.epollPollers}, one per CPU by default),
 * each started on first use; sockets are spread over them in turn.
 */
final class EpollPoller {

    private static final int MAX_EVENTS = 256;
    private static final int COUNT = Math.max(1,
            Integer.getInteger("dev.sockit.epollPollers", Runtime.getRuntime().availableProcessors()));
    private static final EpollPoller[] POLLERS = new EpollPoller[COUNT];
    private static final AtomicInteger NEXT = new AtomicInteger();
    // The token in each event's data: never a descriptor, which the kernel reuses once closed.
    private static final AtomicLong TOKENS = new AtomicLong();

    private final int epfd;
    private final ConcurrentHashMap<Long, EpollSocketChannel> sockets = new ConcurrentHashMap<>();
    private final MemorySegment registerEvent;
    private final MemorySegment registerState;

    private EpollPoller(int index) throws IOException {
        Arena arena = Arena.global(); // lives as long as the process, as the thread does
        MemorySegment state = arena.allocate(EpollCalls.CALL_STATE);
        int fd = EpollCalls.epollCreate(state);
        if (fd < 0) {
            throw new SystemCallException("epoll_create1", -fd, Libc.strerror(-fd));
        }
        this.epfd = fd;
        this.registerEvent = arena.allocate(EpollCalls.EVENT_SIZE, 8);
        this.registerState = arena.allocate(EpollCalls.CALL_STATE);
        MemorySegment events = arena.allocate((long) EpollCalls.EVENT_SIZE * MAX_EVENTS, 8);
        Thread.ofPlatform().daemon(true).name("sockit-epoll-" + index).start(() -> loop(events, state));
    }

    /** The next poller in turn, started if it was not yet. */
    static EpollPoller next() throws IOException {
        int index = Math.floorMod(NEXT.getAndIncrement(), COUNT);
        EpollPoller poller = POLLERS[index];
        if (poller == null) {
            synchronized (POLLERS) {
                poller = POLLERS[index];
                if (poller == null) {
                    poller = new EpollPoller(index);
                    POLLERS[index] = poller;
                }
            }
        }
        return poller;
    }

    /** Registers {@code socket}'s descriptor, once, for every edge; returns its token. */
    long register(EpollSocketChannel socket, int fd) throws IOException {
        long token = TOKENS.incrementAndGet();
        sockets.put(token, socket);
        int r;
        synchronized (registerEvent) {
            registerEvent.set(JAVA_INT_UNALIGNED, 0, EpollCalls.EPOLLIN | EpollCalls.EPOLLOUT | EpollCalls.EPOLLRDHUP
                    | EpollCalls.EPOLLET);
            registerEvent.set(JAVA_LONG_UNALIGNED, 4, token);
            r = EpollCalls.epollCtl(epfd, EpollCalls.EPOLL_CTL_ADD, fd, registerEvent, registerState);
        }
        if (r < 0) {
            sockets.remove(token);
            throw new SystemCallException("epoll_ctl", -r, Libc.strerror(-r));
        }
        return token;
    }

    /**
     * Forgets the socket of {@code token}; its descriptor leaves the epoll when it is closed
     * (the kernel drops a closed file from every epoll), so no system call is made here. An
     * edge already collected for it finds no socket and is dropped.
     */
    void deregister(long token) {
        sockets.remove(token);
    }

    private void loop(MemorySegment events, MemorySegment state) {
        for (;;) {
            int n = EpollCalls.epollWait(epfd, events, MAX_EVENTS, -1, state);
            for (int i = 0; i < n; i++) {
                long offset = (long) i * EpollCalls.EVENT_SIZE;
                EpollSocketChannel socket = sockets.get(events.get(JAVA_LONG_UNALIGNED, offset + 4));
                if (socket != null) {
                    socket.ready(events.get(JAVA_INT_UNALIGNED, offset));
                }
            }
            // n < 0 is EINTR (a signal): wait again. The epoll is never closed.
        }
    }
}
