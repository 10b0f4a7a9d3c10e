package dev.sockit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {

    @Test
    void readsTheFormsPeopleWrite() {
        assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(DurationConverter.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("0s")).isEqualTo(Duration.ZERO);
        assertThat(DurationConverter.parse("PT2S")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void refusesANumberWithoutAUnitAndSaysHowToWriteIt() {
        assertThatThrownBy(() -> DurationConverter.parse("10"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("duration \"10\" is not understood; write a number with a unit: 500ms, 10s, 1m, 1m30s");
    }

    @Test
    void writesDurationsTheWayItReadsThem() {
        assertThat(DurationConverter.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(DurationConverter.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(DurationConverter.format(Duration.ofSeconds(10))).isEqualTo("10s");
    }
}
