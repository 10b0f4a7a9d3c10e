package dev.sockit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.cli.BenchCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** What one execution of {@code sockit bench} printed and returned, for the bench tests. */
record BenchRun(int status, String out, String err) {

    /** Runs {@code sockit bench} with these arguments in this JVM, capturing its output. */
    static BenchRun bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new CommandLine(new BenchCommand())
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
        return new BenchRun(status, out.toString(), err.toString());
    }

    /** The number of a field of the {@code --json} output; fails the test when it is missing. */
    double number(String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?[0-9.]+)").matcher(out);
        assertThat(m.find()).as("field %s in %s", field, out).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** The numbers of an array field of the {@code --json} output; fails the test when it is missing. */
    long[] numbers(String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\\[([0-9,]*)]").matcher(out);
        assertThat(m.find()).as("array field %s in %s", field, out).isTrue();
        return m.group(1).isEmpty() ? new long[0]
                : java.util.Arrays.stream(m.group(1).split(",")).mapToLong(Long::parseLong).toArray();
    }

    String lastErrorLine() {
        String[] lines = err.strip().split("\n");
        return lines[lines.length - 1];
    }
}
