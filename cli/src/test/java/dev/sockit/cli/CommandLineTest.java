package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command's help, version and usage errors, run in this JVM. */
class CommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = Sockit.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void helpNamesEverySubcommandAndShowsExamples() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("server", "client", "bench", "Examples:", "tcp://127.0.0.1:8001");
    }

    @Test
    void everySubcommandsHelpTeachesWithExamples() {
        for (String command : new String[] {"server", "client", "bench"}) {
            out.getBuffer().setLength(0);
            assertThat(run(command, "--help")).isZero();
            assertThat(out.toString()).as(command).contains("Examples:", "ENDPOINT", "tcp://127.0.0.1:8001");
        }
    }

    @Test
    void versionNamesSockitAndTheJava() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("sockit ").contains("Java " + Runtime.version().feature());
    }

    @Test
    void everySubcommandPrintsTheVersion() {
        for (String command : Sockit.commandLine().getSubcommands().keySet()) {
            out.getBuffer().setLength(0);
            if (command.equals("help")) {
                continue; // picocli's help command has no options of its own
            }
            assertThat(run(command, "--version")).as(command).isZero();
            assertThat(out.toString()).as(command).startsWith("sockit ").contains("Java " + Runtime.version().feature());
        }
    }

    @Test
    void anUnknownOptionIsTwoLinesWithTheNearestOptionNotTheWholeUsage() {
        assertThat(run("server", "--mdoe", "echo")).isEqualTo(2);
        assertThat(err.toString().lines().toList()).containsExactly(
                "sockit server: Unknown option: '--mdoe'",
                "  did you mean --mode? ('sockit server --help' lists every option)");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anUnknownCommandSuggestsTheNearestOne() {
        assertThat(run("serve")).isEqualTo(2);
        assertThat(err.toString().lines().toList()).hasSize(2);
        assertThat(err.toString()).contains("'serve'", "did you mean server? ('sockit --help' lists every command)");
    }

    @Test
    void suggestionsAreTheNearestNames() {
        java.util.List<String> names = java.util.List.of("--mode", "--max-line", "--max-frame", "--reply", "--quiet");
        assertThat(Suggestions.nearest("--mdoe", names, 3)).containsExactly("--mode");
        assertThat(Suggestions.nearest("--max-lien=5", names, 3)).containsExactly("--max-line");
        assertThat(Suggestions.nearest("--max", names, 3)).containsExactly("--max-frame", "--max-line");
        assertThat(Suggestions.nearest("--zzzzzz", names, 3)).isEmpty();
    }

    @Test
    void aBadDurationIsTwoLinesThatTeachTheGrammar() {
        assertThat(run("bench", "--duration", "10")).isEqualTo(2);
        assertThat(err.toString().lines().toList()).hasSize(2);
        assertThat(err.toString()).contains("duration \"10\" is not understood", "10s for seconds");
    }

    @Test
    void aMalformedEndpointIsOneLineOnStderrAndAUsageStatus() {
        assertThat(run("client", "tcp://localhost")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("sockit: endpoint \"tcp://localhost\" has no port; write tcp://localhost:PORT,"
                + " e.g. tcp://127.0.0.1:8001" + System.lineSeparator());
    }

    @Test
    void anUnknownModeIsAUsageErrorNamingTheChoices() {
        assertThat(run("server", "--mode", "shout")).isEqualTo(2);
        assertThat(err.toString()).contains("shout", "ack, echo, chat, discard");
    }

    @Test
    void aBusyPollIsADurationOrAuto() {
        ServerCommand.BusyPoll busyPoll = new ServerCommand.BusyPoll();
        assertThat(busyPoll.convert("auto")).isNull();
        assertThat(busyPoll.convert("AUTO")).isNull();
        assertThat(busyPoll.convert("50us")).isEqualTo(java.time.Duration.ofNanos(50_000));
        assertThat(busyPoll.convert("0")).isZero();
        assertThat(run("server", "tcp://127.0.0.1:0", "--busy-poll", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("duration \"soon\" is not understood");
    }

    @Test
    void aBusyPollLongerThanTenMillisecondsIsRefusedWithWhatToTry() {
        assertThat(run("server", "tcp://127.0.0.1:0", "--busy-poll", "20ms")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("sockit: --busy-poll must be at most 10ms, not 20ms: a peer slower than that"
                + " is cheaper to wait for in the kernel; try 50us" + System.lineSeparator());
    }

    @Test
    void aDurationMayBeWrittenAsPeopleWriteIt() {
        assertThat(DurationConverter.parse("500ms")).hasMillis(500);
        assertThat(DurationConverter.parse("1.5s")).hasMillis(1500);
        assertThat(DurationConverter.parse("2m")).hasSeconds(120);
        assertThat(DurationConverter.parse("PT3S")).hasSeconds(3);
    }

    @Test
    void controlCharactersFromPeersArePrintedAsEscapes() {
        assertThat(ServerLog.printable("a\u001b[2Jb\r")).isEqualTo("a\\x1b[2Jb\\r");
        assertThat(ServerLog.printable("plain text")).isEqualTo("plain text");
    }
}
