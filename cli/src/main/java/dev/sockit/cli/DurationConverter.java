package dev.sockit.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The one duration grammar of every sockit command — server, client and bench read the same
 * forms, through this class: a number with a unit, or several in a row, largest first as
 * people write them: {@code 50us}, {@code 250ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1m30s},
 * {@code 1h}; {@code 0} alone (no unit needed for nothing); or ISO-8601 ({@code PT10S}). A
 * bare number other than 0 is refused rather than guessed at, since seconds and
 * milliseconds are both plausible.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s|m|h)");
    private static final Pattern BARE = Pattern.compile("\\d+(?:\\.\\d+)?");

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
        return parse(text, false);
    }

    /**
     * The same grammar, where a bare number is seconds, as {@code ping -i 0.2} has always read
     * it: for options that copy a classic tool's, and only those.
     */
    public static final class BareSeconds implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            return parse(text, true);
        }
    }

    private static Duration parse(String text, boolean bareIsSeconds) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (bareIsSeconds && BARE.matcher(s).matches()) {
            return parse(s + "s", false);
        }
        if (s.startsWith("pt") || s.startsWith("p")) {
            try {
                Duration iso = Duration.parse(s);
                if (!iso.isNegative()) {
                    return iso;
                }
            } catch (DateTimeParseException e) {
                // fall through to the message that teaches the usual forms
            }
            throw invalid(text, "");
        }
        if (BARE.matcher(s).matches()) {
            if (new BigDecimal(s).signum() == 0) {
                return Duration.ZERO;
            }
            throw invalid(text, " (a number needs a unit: " + s + "s for seconds, " + s + "ms for milliseconds)");
        }
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            BigDecimal amount = new BigDecimal(m.group(1));
            long nanosPerUnit = switch (m.group(2)) {
                case "us" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            try {
                total = total.plusNanos(amount.multiply(BigDecimal.valueOf(nanosPerUnit)).longValueExact());
            } catch (ArithmeticException e) {
                throw invalid(text, " (too long or too finely divided)");
            }
            at = m.end();
        }
        if (s.isEmpty() || at != s.length()) {
            throw invalid(text, "");
        }
        return total;
    }

    private static CommandLine.TypeConversionException invalid(String text, String why) {
        return new CommandLine.TypeConversionException("duration \"" + text + "\" is not understood" + why
                + "; write a number with a unit: 250ms, 10s, 1.5s, 2m, 1m30s, 1h");
    }

    /**
     * A duration the way this class reads it, shortest first: {@code 50us}, {@code 250ms}, {@code 10s},
     * {@code 1.5s}, {@code 1m30s}, {@code 2h}, {@code 0s}.
     */
    public static String format(Duration d) {
        long millis = d.toMillis();
        if (millis == 0) {
            long micros = d.toNanos() / 1000;
            return micros == 0 ? "0s" : micros + "us";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        long seconds = millis / 1000 % 60;
        long rest = millis % 1000;
        StringBuilder text = new StringBuilder();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes).append('m');
        }
        if (seconds > 0 || rest > 0) {
            text.append(seconds);
            if (rest > 0) {
                text.append('.').append(String.format(Locale.ROOT, "%03d", rest).replaceAll("0+$", ""));
            }
            text.append('s');
        }
        return text.toString();
    }
}
