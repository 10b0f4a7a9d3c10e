package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The walk-through's TCP steps, on sockit and on java.net. */
class TcpTest {

    @Test
    void theServerAnswersEachMessageAndSeesTheClientLeave() throws Exception {
        var lines = ExampleProgram.run("tcp");

        assertThat(lines.getFirst()).matches("server: listening on tcp://127\\.0\\.0\\.1:\\d+");
        assertThat(lines.subList(1, lines.size())).containsExactly(
                lines.get(1),
                "server: received hello",
                "client: received server received your message.",
                "server: received world",
                "client: received server received your message.",
                "server: the client left; its connection is closed");
        assertThat(lines.get(1)).matches("server: connected by 127\\.0\\.0\\.1:\\d+");
    }

    @Test
    void theJdkStepsEndWithAReadThatFindsTheStreamsEnd() throws Exception {
        var lines = ExampleProgram.run("tcp-jdk");

        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).matches("server: listening on 127\\.0\\.0\\.1:\\d+");
        assertThat(lines.get(1)).matches("server: connected by /127\\.0\\.0\\.1:\\d+");
        assertThat(lines.subList(2, 5)).containsExactly(
                "server: received hello",
                "client: received server received your message.",
                "server: read returns -1: the client is done");
    }
}
