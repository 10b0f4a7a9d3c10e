package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A thread per connection: clients connected at the same time are all served. */
class ThreadsTest {

    private static final Pattern REPLY = Pattern.compile("client (\\d+):? served by (?:virtual )?thread #(\\d+)");

    @Test
    void threeClientsConnectedAtOnceAreEachServedOnAVirtualThreadOfTheirOwn() throws Exception {
        List<String> lines = ExampleProgram.run("threads");

        assertThat(lines).hasSize(7);
        assertThat(lines.subList(0, 6)).allMatch(line -> line.contains("served by virtual thread"));
        List<String> threads = lines.subList(0, 6).stream().map(ThreadsTest::thread).toList();
        assertThat(threads.subList(0, 3)).as("one thread per client").doesNotHaveDuplicates();
        assertThat(threads.subList(3, 6)).as("the same thread serves a client throughout").isEqualTo(threads.subList(0, 3));
        assertThat(lines.get(6)).isEqualTo("server: 3 clients connected at once");
    }

    @Test
    void theHandBuiltServerAnswersTheSecondClientWhileTheFirstStaysConnected() throws Exception {
        List<String> lines = ExampleProgram.run("threads-jdk");

        assertThat(lines).hasSize(3);
        List<String> clients = lines.stream().map(line -> match(line).group(1)).toList();
        List<String> threads = lines.stream().map(ThreadsTest::thread).toList();
        assertThat(clients.get(0)).isNotEqualTo(clients.get(1)).isEqualTo(clients.get(2));
        assertThat(threads.get(0)).isNotEqualTo(threads.get(1)).isEqualTo(threads.get(2));
    }

    private static String thread(String line) {
        return match(line).group(2);
    }

    private static Matcher match(String line) {
        Matcher matcher = REPLY.matcher(line);
        assertThat(matcher.matches()).as("a reply naming its client and thread: %s", line).isTrue();
        return matcher;
    }
}
