package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Slow consumers are judged by their progress: a member that reads slowly gets everything, in
 * order, and slows the sender; only one that stops reading is disconnected, within the patience.
 */
class SlowConsumerTest {

    private static final Executor VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();
    // 12 MiB of 1 KiB lines: more than the outbound limit (1 MiB) and the kernel's send buffer
    // for a peer that never reads (up to 4 MiB here) together.
    private static final int LINES = 12 * 1024;
    private static final Duration PATIENCE = Duration.ofSeconds(2);
    private static final long DEADLINE_SECONDS = 120; // the whole flood, on a loaded two-core machine

    private final BlockingQueue<CloseReason> limits = new LinkedBlockingQueue<>();
    private final Observer closes = new Observer() {
        @Override
        public void closed(Connection connection, CloseReason reason) {
            if (reason.code() == CloseReason.Code.LIMIT) {
                limits.add(reason);
            }
        }
    };

    @Test
    void inAChatTheReaderGetsEveryLineInOrderAndOnlyTheMemberThatNeverReadsIsCut() throws Exception {
        try (Server server = onLoopback().handler(Handlers.chat()).observer(closes)
                .outbound(OutboundLimit.SERVER_DEFAULT.withPatience(PATIENCE)).start();
             Socket sender = new Socket("127.0.0.1", server.port());
             Socket reader = new Socket("127.0.0.1", server.port());
             Socket idle = smallWindow(server.port())) {
            BufferedReader senderIn = lines(sender);
            // Each handler joins the room on its own thread, in its own time: the reader and
            // the idle member say something until the sender has heard both, which proves all
            // three are members before the flood begins.
            sender.setSoTimeout(200);
            java.util.Set<String> heard = new java.util.HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
            while (heard.size() < 2 && System.nanoTime() < deadline) {
                reader.getOutputStream().write("reader here\n".getBytes(UTF_8));
                idle.getOutputStream().write("idle here\n".getBytes(UTF_8));
                try {
                    for (String line; (line = senderIn.readLine()) != null; ) {
                        if (line.startsWith("[")) {
                            heard.add(line);
                        }
                    }
                } catch (java.net.SocketTimeoutException quiet) {
                    // nothing more for now: say it again
                }
            }
            sender.setSoTimeout(0);
            assertThat(heard).containsExactlyInAnyOrder("[2] reader here", "[3] idle here");
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> readInOrder(reader, "[1] "), VIRTUAL);
            flood(sender.getOutputStream());
            assertThat(read.get(DEADLINE_SECONDS, TimeUnit.SECONDS)).as("lines the reader got, in order").isEqualTo(LINES);
            CloseReason cut = limits.poll(DEADLINE_SECONDS, TimeUnit.SECONDS);
            assertThat(cut).isNotNull();
            assertThat(cut.text()).startsWith("not reading: it took none of the");
            assertThat(limits).as("nobody else was cut").isEmpty();
        }
    }

    @Test
    void aServerBroadcastReachesASlowReaderWholeAndCutsOnlyThePeerThatNeverReads() throws Exception {
        try (Server server = onLoopback().handler(Handlers.discard()).observer(closes)
                .outbound(OutboundLimit.SERVER_DEFAULT.withPatience(PATIENCE)).start();
             Socket reader = new Socket("127.0.0.1", server.port());
             Socket idle = smallWindow(server.port())) {
            awaitUntil("both are connected", () -> server.connections().size() == 2);
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> readInOrder(reader, ""), VIRTUAL);
            String filler = "x".repeat(1000);
            for (int i = 0; i < LINES; i++) {
                server.broadcast(Message.of(String.format("line %06d %s", i, filler)));
            }
            assertThat(read.get(DEADLINE_SECONDS, TimeUnit.SECONDS)).isEqualTo(LINES);
            CloseReason cut = limits.poll(DEADLINE_SECONDS, TimeUnit.SECONDS);
            assertThat(cut).isNotNull();
            assertThat(cut.text()).startsWith("not reading");
            assertThat(limits).isEmpty();
        }
    }

    private static void flood(OutputStream out) throws IOException {
        OutputStream buffered = new BufferedOutputStream(out, 64 * 1024);
        String filler = "x".repeat(1000);
        for (int i = 0; i < LINES; i++) {
            buffered.write(String.format("line %06d %s\n", i, filler).getBytes(UTF_8));
        }
        buffered.flush();
    }

    /** Reads lines labelled {@code label} until LINES came or one is out of order; how many came in order. */
    private static int readInOrder(Socket socket, String label) {
        try {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
            BufferedReader in = lines(socket);
            int next = 0;
            for (String line; next < LINES && (line = in.readLine()) != null; ) {
                if (!line.startsWith(label + "line ")) {
                    continue; // someone joined, left or spoke
                }
                if (!line.startsWith(label + String.format("line %06d ", next))) {
                    return next;
                }
                next++;
            }
            return next;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static BufferedReader lines(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    /** A peer that never reads, with a small window so that it fills at once. */
    private static Socket smallWindow(int port) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        return socket;
    }
}
