package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The one duration grammar, as every command reads it. */
class DurationConverterTest {

    @Test
    void readsTheFormsPeopleWrite() {
        assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationConverter.parse("50us")).isEqualTo(Duration.ofNanos(50_000));
        assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationConverter.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(DurationConverter.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationConverter.parse("0.5m")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("0s")).isEqualTo(Duration.ZERO);
        assertThat(DurationConverter.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(DurationConverter.parse(" 2S ")).isEqualTo(Duration.ofSeconds(2));
        assertThat(DurationConverter.parse("PT2S")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void refusesANumberWithoutAUnitAndSaysHowToWriteIt() {
        assertThatThrownBy(() -> DurationConverter.parse("10"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("duration \"10\" is not understood (a number needs a unit: 10s for seconds, 10ms for"
                        + " milliseconds); write a number with a unit: 250ms, 10s, 1.5s, 2m, 1m30s, 1h");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "ten seconds", "10 s", "1.s", "-1s", "10sec", "1m30", "PT-1S", "P"})
    void refusesWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("\"" + text + "\" is not understood");
    }

    @Test
    void writesDurationsTheWayItReadsThem() {
        assertThat(DurationConverter.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(DurationConverter.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(DurationConverter.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(DurationConverter.format(Duration.ofMinutes(120))).isEqualTo("2h");
        assertThat(DurationConverter.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(DurationConverter.format(Duration.ofNanos(50_000))).isEqualTo("50us");
        for (String text : new String[] {"50us", "250ms", "1.25s", "1m30s", "1h2m3.5s"}) {
            assertThat(DurationConverter.format(DurationConverter.parse(text))).isEqualTo(text);
        }
    }

    @Test
    void serverClientAndBenchAcceptTheSameForms() {
        // Each command reads its durations through this one converter; the parse succeeds
        // when picocli gets past the options (a usage error would be status 2).
        for (String form : new String[] {"1.5s", "1m30s", "250ms"}) {
            assertThat(parses("server", "--drain-timeout", form)).as("server " + form).isTrue();
            assertThat(parses("client", "--connect-timeout", form)).as("client " + form).isTrue();
            assertThat(parses("bench", "--duration", form)).as("bench " + form).isTrue();
        }
    }

    @Test
    void pingsOptionsReadABareNumberAsSecondsAsPingDoes() {
        assertThat(new DurationConverter.BareSeconds().convert("0.2")).isEqualTo(Duration.ofMillis(200));
        assertThat(new DurationConverter.BareSeconds().convert("1m30s")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void keepaliveTakesTwoDurationsOfTheGrammarAndACount() {
        ServerCommand server = new ServerCommand();
        new CommandLine(server).parseArgs("--keepalive", "1m30s,1.5s,4");
        assertThat(server.liveness.heartbeat().keepalive())
                .isEqualTo(new dev.sockit.Heartbeat.Keepalive(true, Duration.ofSeconds(90), Duration.ofMillis(1500), 4));
    }

    private static boolean parses(String... args) {
        try {
            Sockit.commandLine().parseArgs(args);
            return true;
        } catch (CommandLine.ParameterException e) {
            return false;
        }
    }
}
