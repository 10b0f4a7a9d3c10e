package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Server push: the server speaks first, to every client. */
class PushTest {

    @Test
    void everyConnectedClientGetsWhatTheServerPushesWithoutAsking() throws Exception {
        List<String> lines = ExampleProgram.run("push");

        assertThat(lines).containsExactly(
                "welcome, client 1",
                "welcome, client 2",
                "welcome, client 3",
                "server: pushed to 3 clients",
                "client 1 got: news from the server, which no client asked for",
                "client 2 got: news from the server, which no client asked for",
                "client 3 got: news from the server, which no client asked for");
    }
}
