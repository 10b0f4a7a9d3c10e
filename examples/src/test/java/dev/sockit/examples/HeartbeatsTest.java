package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Heartbeats find a peer that no longer answers, and leave the one that does. */
class HeartbeatsTest {

    @Test
    void theClientThatAnswersNoPingIsClosedAndTheOneThatReadsStays() throws Exception {
        List<String> lines = ExampleProgram.run("heartbeats");

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("server: pings after 500 ms of silence, a dead peer goes within 1500 ms");
        assertThat(lines.get(1)).startsWith("server: closed client 2: no heartbeat");
        assertThat(lines.get(2)).isEqualTo("server: 1 client still connected, the one that answers");
    }
}
