package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The five facts of a connection, seen from both ends. */
class FiveFactsTest {

    private static final Pattern FACTS = Pattern.compile("(client|server) sees protocol tcp, local (\\S+), remote (\\S+)");

    @ParameterizedTest
    @ValueSource(strings = {"five-facts", "five-facts-jdk"})
    void eachEndsLocalAddressAndPortAreTheOtherEndsRemoteOnes(String example) throws Exception {
        List<String> lines = ExampleProgram.run(example);

        assertThat(lines).hasSize(2);
        Matcher client = facts(lines.get(0), "client");
        Matcher server = facts(lines.get(1), "server");
        assertThat(client.group(2)).isEqualTo(server.group(3)).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(client.group(3)).isEqualTo(server.group(2)).matches("127\\.0\\.0\\.1:\\d+");
    }

    private static Matcher facts(String line, String side) {
        Matcher matcher = FACTS.matcher(line);
        assertThat(matcher.matches()).as("the five facts: %s", line).isTrue();
        assertThat(matcher.group(1)).isEqualTo(side);
        return matcher;
    }
}
