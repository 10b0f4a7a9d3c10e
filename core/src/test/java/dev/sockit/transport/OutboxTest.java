package dev.sockit.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.OutboundLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The outbox's bound and its signal, without sockets: its drainer here takes nothing unless told. */
class OutboxTest {

    private static final Executor VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

    private static Outbox outbox(long maxBytes, int maxMessages) {
        return new Outbox(OutboundLimit.of(maxBytes, maxMessages, OutboundLimit.Overflow.DISCONNECT), () -> { },
                "test-drainer");
    }

    @Test
    void concurrentSendersNeverPassTheMessageBoundTogether() throws Exception {
        Outbox outbox = outbox(1 << 30, 100);
        AtomicInteger queued = racingOffers(outbox, 16, 50, 1);
        assertThat(queued.get()).isEqualTo(100);
        assertThat(outbox.count()).isEqualTo(100);
    }

    @Test
    void concurrentSendersNeverPassTheByteBoundTogether() throws Exception {
        Outbox outbox = outbox(1000, 1_000_000);
        AtomicInteger queued = racingOffers(outbox, 16, 50, 10);
        assertThat(queued.get()).isEqualTo(100);
        assertThat(outbox.bytes()).isEqualTo(1000);
    }

    @Test
    void oneItemLargerThanTheByteBoundStillGoesAlone() {
        Outbox outbox = outbox(10, 100);
        assertThat(outbox.offer("big", 1000, 0)).isEqualTo(Outbox.Offer.QUEUED);
        assertThat(outbox.offer("next", 1, 0)).isEqualTo(Outbox.Offer.FULL);
    }

    @Test
    void aWaitingSenderIsWokenByEveryTakeNotByATimer() throws Exception {
        Outbox outbox = outbox(1 << 20, 1);
        int rounds = 100;
        outbox.offer(0, 1, 0);
        long start = System.nanoTime();
        for (int i = 1; i <= rounds; i++) {
            int item = i;
            CompletableFuture<Outbox.Offer> waiting = CompletableFuture.supplyAsync(() -> outbox.offer(item, 1, Long.MAX_VALUE), VIRTUAL);
            assertThat(outbox.take()).isEqualTo(i - 1);
            outbox.release(1);
            assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(Outbox.Offer.QUEUED);
        }
        // A lost wake-up costs its waiter the one-second safety net; every round losing it, 100 s.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aSenderWaitsWhileThePeerProgressesAndGivesUpOnlyAfterThePatienceWithout() throws Exception {
        Outbox outbox = outbox(1 << 20, 1);
        long patience = Duration.ofMillis(300).toNanos();
        outbox.offer("first", 1, 0);
        // Each take restarts the patience: 20 takes 100 ms apart outlast it many times over.
        CompletableFuture<Integer> sender = CompletableFuture.supplyAsync(() -> {
            int queued = 0;
            while (outbox.offer("more", 1, patience) == Outbox.Offer.QUEUED) {
                queued++;
            }
            return queued;
        }, VIRTUAL);
        for (int i = 0; i < 20; i++) {
            long next = System.nanoTime() + Duration.ofMillis(100).toNanos();
            dev.sockit.TestKit.awaitUntil("a moment passes, the sender waiting again",
                    () -> System.nanoTime() >= next && outbox.count() == 1);
            assertThat(outbox.take()).isNotNull();
            outbox.release(1);
        }
        // No more takes: the sender gives up within the patience (and a safety margin).
        assertThat(sender.get(5, TimeUnit.SECONDS)).isEqualTo(20);
    }

    @Test
    void closingWakesEveryWaitingSenderWithClosed() throws Exception {
        Outbox outbox = outbox(1 << 20, 1);
        outbox.offer("first", 1, 0);
        List<CompletableFuture<Outbox.Offer>> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiting.add(CompletableFuture.supplyAsync(() -> outbox.offer("more", 1, Long.MAX_VALUE), VIRTUAL));
        }
        outbox.close();
        for (CompletableFuture<Outbox.Offer> offer : waiting) {
            assertThat(offer.get(5, TimeUnit.SECONDS)).isEqualTo(Outbox.Offer.CLOSED);
        }
    }

    private static AtomicInteger racingOffers(Outbox outbox, int threads, int each, int length) throws Exception {
        AtomicInteger queued = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> racers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            racers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    if (outbox.offer("x", length, 0) == Outbox.Offer.QUEUED) {
                        queued.incrementAndGet();
                    }
                }
            }));
        }
        start.countDown();
        for (Thread racer : racers) {
            assertThat(racer.join(Duration.ofSeconds(10))).isTrue();
        }
        return queued;
    }
}
