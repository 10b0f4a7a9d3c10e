package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import dev.sockit.framing.Raw;
import dev.sockit.testkit.ConnectionPair;
import dev.sockit.testkit.MemoryConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exec handler's contract with its process, on the test kit: no socket is needed to see a
 * half-close reach the process, its exit end the connection, or a client's leaving end it.
 * ExecTest runs {@code sockit server --exec} itself, over TCP.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecHandlerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @Test
    void theClientsHalfCloseEndsTheProcessInputAndItsAnswerComesBeforeTheEnd() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Raw.bytes()).serve(ExecHandler.exec("tr a-z A-Z"))) {
            pair.client().send(Message.of("first client\n"));
            pair.client().shutdownOutput();
            // tr answers once its input ends, then exits: the connection ends after its last byte.
            assertThat(readAll(pair.client())).isEqualTo("FIRST CLIENT\n");
            pair.awaitHandler(PATIENCE);
            assertThat(pair.server().closeReason().text()).isEqualTo("the program exited with status 0");
        }
    }

    @Test
    void theProcessEndingEndsTheConnectionAndItLearnsWhoItTalksTo() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Raw.bytes())
                .serve(ExecHandler.shell("echo \"$SOCKIT_REMOTE_ADDR $NCAT_REMOTE_PORT $SOCKIT_PROTO\"; exit 3"))) {
            int port = ((InetSocketAddress) pair.client().local()).getPort();
            // The client never ends its output: the program's exit alone closes the connection.
            assertThat(readAll(pair.client())).isEqualTo("127.0.0.1 " + port + " memory\n");
            pair.awaitHandler(PATIENCE);
            assertThat(pair.server().closeReason())
                    .isEqualTo(CloseReason.of(CloseReason.Code.CLOSED, "the program exited with status 3"));
        }
    }

    @Test
    void aClientThatLeavesEndsItsProcessAndItsChildren() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Raw.bytes())
                .serve(ExecHandler.shell("sleep 600 & echo $$ $!; wait"))) {
            String[] pids = readLine(pair.client()).split(" ");
            ProcessHandle shell = ProcessHandle.of(Long.parseLong(pids[0])).orElseThrow();
            ProcessHandle child = ProcessHandle.of(Long.parseLong(pids[1])).orElseThrow();
            pair.client().reset(); // the client is gone
            assertThat(shell.onExit().get(PATIENCE.toSeconds(), TimeUnit.SECONDS).isAlive()).isFalse();
            assertThat(child.onExit().get(PATIENCE.toSeconds(), TimeUnit.SECONDS).isAlive()).isFalse();
            pair.awaitHandler(PATIENCE);
        }
    }

    @Test
    void aProcessSlowerThanItsClientSlowsTheClientAndAKickEndsItEvenThen() throws Exception {
        // sleep reads nothing: once the pipe to it and the pair's buffer are full, the client's send waits.
        try (ConnectionPair pair = ConnectionPair.builder(Raw.bytes()).bufferSize(16 * 1024).build()
                .serve(ExecHandler.shell("sleep 600"))) {
            byte[] chunk = new byte[8 * 1024];
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 10_000; i++) { // 80 MB, far beyond any pipe
                        pair.client().send(Message.of(chunk));
                    }
                } catch (IOException expected) {
                    // the pair closed under it
                }
            });
            assertThat(sender.join(Duration.ofMillis(500))).as("the sender still waits for room").isFalse();
            assertThat(pair.client().stats().bytesOut()).isLessThan(10_000L * chunk.length);
            // The handler is blocked writing to the process, not reading the client: kicked
            // (as /kick does), the process must end all the same.
            pair.server().close(CloseReason.of(CloseReason.Code.CLOSED, "kicked"));
            assertThat(sender.join(PATIENCE)).isTrue();
            pair.awaitHandler(PATIENCE);
        }
    }

    private static String readAll(MemoryConnection connection) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Message message; (message = connection.receive()) != null; ) {
            all.writeBytes(message.bytes());
        }
        return all.toString(UTF_8);
    }

    private static String readLine(MemoryConnection connection) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (!line.toString(UTF_8).endsWith("\n")) {
            Message message = connection.receive();
            assertThat(message).as("a line before the end").isNotNull();
            line.writeBytes(message.bytes());
        }
        return line.toString(UTF_8).strip();
    }
}
