package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** UDP: datagrams, no connection, a reply to the sender's address. */
class UdpTest {

    @Test
    void eachDatagramIsAnsweredWithOneDatagramToItsSender() throws Exception {
        List<String> lines = ExampleProgram.run("udp");

        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).matches("server: bound to udp://127\\.0\\.0\\.1:\\d+, no listen, no accept");
        assertThat(lines.get(1)).matches("server: datagram from 127\\.0\\.0\\.1:\\d+: hello");
        assertThat(lines.get(3)).isEqualTo(lines.get(1).replace("hello", "world"));
        assertThat(List.of(lines.get(2), lines.get(4))).containsOnly("client: received server received your message.");
    }

    @Test
    void theJdkServerRepliesToTheAddressTheDatagramCameFrom() throws Exception {
        List<String> lines = ExampleProgram.run("udp-jdk");

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("server: datagram from /127\\.0\\.0\\.1:\\d+: hello");
        assertThat(lines.get(1)).isEqualTo("client: received server received your message.");
    }
}
