package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code sockit client} and {@code sockit server} without options start without picocli; these
 * check that they start with exactly the settings picocli would have given them.
 */
class BareCommandTest {

    @Test
    void aBareCommandHoldsWhatPicocliWouldParseFieldByFieldMixinsIncluded() {
        String[][] commandLines = {
            {"client"},
            {"client", "tcp://127.0.0.1:9000"},
            {"server"},
            {"server", "tcp://127.0.0.1:0", "ws://127.0.0.1:0/chat"},
        };
        for (String[] args : commandLines) {
            Object bare = BareCommand.of(args);
            CommandLine.ParseResult parsed = Sockit.commandLine(args).parseArgs(args);
            Object picocli = parsed.subcommand().commandSpec().userObject();
            assertThat(bare).as(String.join(" ", args)).isNotNull().usingRecursiveComparison().isEqualTo(picocli);
        }
    }

    @Test
    void anythingButEndpointsGoesToPicocli() {
        assertThat(BareCommand.of()).isNull();
        assertThat(BareCommand.of("bench")).isNull();
        assertThat(BareCommand.of("client", "--reconnect")).isNull();
        assertThat(BareCommand.of("client", "tcp://127.0.0.1:9000", "-v")).isNull();
        assertThat(BareCommand.of("client", "tcp://127.0.0.1:1", "tcp://127.0.0.1:2")).as("two endpoints: picocli's error").isNull();
        assertThat(BareCommand.of("server", "@args.txt")).as("picocli's @file").isNull();
        assertThat(BareCommand.of("server", "--")).isNull();
        assertThat(BareCommand.of("server", "")).isNull();
        assertThat(BareCommand.of("help", "client")).isNull();
    }

    @Test
    void aBadEndpointFailsAsOnThePicocliPath() {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = BareCommand.run(BareCommand.of("client", "tpc://127.0.0.1:9000"));
        } finally {
            System.setErr(original);
        }
        assertThat(status).isEqualTo(Sockit.commandLine("client").getCommandSpec().exitCodeOnInvalidInput());
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("sockit: ").contains("tpc://127.0.0.1:9000");
    }
}
