package dev.sockit.transport.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The 32 bytes of native memory each epoll socket needs for its calls ({@code errno} captured
 * for the reader, the writer and the probe; the probe's count), cut from shared blocks and
 * reused, rather than an arena and a cleaner per connection.
 */
final class EpollSlots {

    private static final int SLOT = 32;
    private static final int PER_BLOCK = 2048;
    private static final ConcurrentLinkedQueue<MemorySegment> FREE = new ConcurrentLinkedQueue<>();

    private EpollSlots() {}

    static MemorySegment take() {
        MemorySegment slot = FREE.poll();
        if (slot != null) {
            return slot;
        }
        synchronized (FREE) {
            slot = FREE.poll();
            if (slot == null) {
                // Blocks live as long as the process: at most as many slots as connections ever open at once.
                MemorySegment block = Arena.global().allocate((long) SLOT * PER_BLOCK, 8);
                for (int i = 1; i < PER_BLOCK; i++) {
                    FREE.add(block.asSlice((long) i * SLOT, SLOT));
                }
                slot = block.asSlice(0, SLOT);
            }
        }
        return slot;
    }

    /** Gives a slot back once no call of its socket can use it again. */
    static void give(MemorySegment slot) {
        FREE.add(slot);
    }
}
