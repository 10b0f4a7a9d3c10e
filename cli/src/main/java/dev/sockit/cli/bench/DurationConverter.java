package dev.sockit.cli.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads durations as people write them on a command line: {@code 10s}, {@code 500ms},
 * {@code 1m}, {@code 1m30s}, {@code 2h}; also ISO-8601 ({@code PT10S}). A bare number is
 * refused rather than guessed at, since seconds and milliseconds are both plausible.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** Parses {@code text}; see the class comment for the forms. */
    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    /**
     * Parses {@code text}.
     *
     * @throws CommandLine.TypeConversionException saying how to write a duration
     */
    public static Duration parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("pt")) {
            try {
                return Duration.parse(s);
            } catch (RuntimeException e) {
                throw invalid(text);
            }
        }
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            long amount = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            });
            at = m.end();
        }
        if (at == 0 || at != s.length()) {
            throw invalid(text);
        }
        return total;
    }

    private static CommandLine.TypeConversionException invalid(String text) {
        return new CommandLine.TypeConversionException("duration \"" + text
                + "\" is not understood; write a number with a unit: 500ms, 10s, 1m, 1m30s");
    }

    /** A duration the way this class reads it: {@code 1m30s}, {@code 500ms}, {@code 0s}. */
    public static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s >= 60 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s";
    }
}
