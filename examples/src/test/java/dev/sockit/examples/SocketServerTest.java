package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** socketserver's request handler: setup, handle, finish. */
class SocketServerTest {

    @Test
    void setupComesBeforeTheFirstRequestAndFinishAfterTheClientLeaves() throws Exception {
        List<String> lines = ExampleProgram.run("socket-server");

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("setup: 127\\.0\\.0\\.1:\\d+");
        assertThat(lines.subList(1, 4)).containsExactly(
                "client: received HELLO", "client: received SOCKETSERVER", "finish: 2 messages handled");
    }
}
