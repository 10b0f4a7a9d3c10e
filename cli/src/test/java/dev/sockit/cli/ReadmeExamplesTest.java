package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's examples, as written, against the README's server: they must work as a reader types them. */
class ReadmeExamplesTest {

    private static List<String> readme() throws Exception {
        Path readme = Path.of("README.md");
        if (!Files.exists(readme)) {
            readme = Path.of("..", "README.md"); // Maven runs the tests in cli/
        }
        return Files.readAllLines(readme);
    }

    /** The words of the first line of the README that runs {@code bin/sockit COMMAND}, after it. */
    private static List<String> first(String command) throws Exception {
        String prefix = "bin/sockit " + command + " ";
        for (String line : readme()) {
            String code = line.strip().replaceAll("\\s+#.*$", "");
            if (code.startsWith(prefix)) {
                return new ArrayList<>(Arrays.asList(code.substring(prefix.length()).split("\\s+")));
            }
        }
        throw new AssertionError("the README has no line that runs " + prefix.strip());
    }

    @Test
    void theFirstBenchExampleWorksAgainstTheDefaultServer() throws Exception {
        List<String> args = first("bench");
        // The README's server: "bin/sockit server", everything at its default, on a free port.
        try (SockitProcess server = SockitProcess.server("--quiet")) {
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).equals("tcp://127.0.0.1:8001")) {
                    args.set(i, server.endpoint());
                }
                if (args.get(i).equals("--duration")) {
                    args.set(i + 1, "2s"); // shortened; nothing else changed but the warm-up below
                }
            }
            args.addAll(0, List.of("bench"));
            // A second of warm-up: the server is a cold JVM, and on a busy machine its first answers
            // to 64 connections took over a second, which a run with none measured as "no replies".
            args.addAll(List.of("--warmup", "1s"));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int status = Sockit.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute(args.toArray(String[]::new));
            assertThat(status).as("sockit %s%n%s%s", String.join(" ", args), out, err).isZero();
            assertThat(out.toString()).contains("errors      0");
        }
    }
}
