package dev.sockit.cli;

import dev.sockit.cli.bench.Report;
import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The server's log: each event has a level, a name, fields for machines and a line for
 * people. {@code --log-format text} (the default) prints the line; {@code json} prints one
 * JSON object a line: {@code time}, {@code level}, {@code event}, the fields (connection id,
 * remote address, reason, ...) and {@code message}, the line the text log prints. Either way
 * what the text log prints on stdout (through the {@link Printer}, which never blocks a
 * connection) goes there, and what it prints on stderr goes there.
 */
final class EventLog {

    // Always milliseconds, so that every line's time has one width (Instant.toString drops zeros).
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX")
            .withZone(ZoneOffset.UTC);

    /** How lines are written. */
    enum Format { text, json }

    private final Format format;
    private final Printer out;
    private final PrintStream err;
    private final Clock clock;

    EventLog(Format format, Printer out, PrintStream err, Clock clock) {
        this.format = format;
        this.out = out;
        this.err = err;
        this.clock = clock;
        if (format == Format.json) {
            out.onDropped(lost -> render("warn", "output_dropped", "(" + lost + " lines not shown: output could not"
                    + " keep up; use --quiet)", "lines", lost));
        }
    }

    /**
     * Something that happened, for stdout.
     *
     * @param fields name and value pairs; a null value leaves its field out
     */
    void info(String event, String line, Object... fields) {
        out.println(render("info", event, line, fields));
    }

    /** Something that happened, for stderr: the server stopping. */
    void notice(String event, String line, Object... fields) {
        err.println(render("info", event, line, fields));
    }

    /** A peer's fault or a limit reached, for stderr. */
    void warn(String event, String line, Object... fields) {
        err.println(render("warn", event, line, fields));
    }

    /** Our fault or the system's, for stderr. */
    void error(String event, String line, Object... fields) {
        err.println(render("error", event, line, fields));
    }

    /** Text that follows an event, such as a stack trace: printed as is in text, a field in JSON. */
    boolean isJson() {
        return format == Format.json;
    }

    private String render(String level, String event, String line, Object... fields) {
        if (format == Format.text) {
            return line;
        }
        StringBuilder json = new StringBuilder(128 + line.length());
        json.append("{\"time\":\"").append(TIME.format(clock.instant())).append('"')
                .append(",\"level\":\"").append(level).append('"')
                .append(",\"event\":\"").append(event).append('"');
        for (int i = 0; i + 1 < fields.length; i += 2) {
            Object value = fields[i + 1];
            if (value == null) {
                continue;
            }
            json.append(",\"").append(fields[i]).append("\":");
            if (value instanceof Number || value instanceof Boolean) {
                json.append(value);
            } else {
                json.append(Report.quote(value.toString()));
            }
        }
        return json.append(",\"message\":").append(Report.quote(line)).append('}').toString();
    }
}
