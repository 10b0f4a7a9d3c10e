package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** AF_UNIX: a socket named by a file. */
class UnixSocketTest {

    @Test
    void theServerListensOnAFileOnlyItsOwnerMayUseAndRemovesItOnStop() throws Exception {
        List<String> lines = ExampleProgram.run("unix-socket");

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("server: listening on unix:/\\S+/walkthrough\\.sock, a socket file with mode rw-------");
        String path = lines.get(0).replaceAll(".*unix:(\\S+),.*", "$1");
        assertThat(lines.get(1)).isEqualTo("client: received server received your message.");
        assertThat(lines.get(2)).isEqualTo("client: local unix:(unnamed), remote unix:" + path);
        assertThat(lines.get(3)).isEqualTo("server stopped; socket file left behind: false");
    }

    @Test
    void theJdkChannelsTalkThroughTheSocketFile() throws Exception {
        List<String> lines = ExampleProgram.run("unix-socket-jdk");

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("server: listening on /\\S+/walkthrough\\.sock, a file: true");
        assertThat(lines.subList(1, 3)).containsExactly("server: received hello", "client: received server received your message.");
    }
}
