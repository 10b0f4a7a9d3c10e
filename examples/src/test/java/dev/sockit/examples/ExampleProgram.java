package dev.sockit.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs an example the way {@code bin/example NAME} does: in a JVM of its own, its name turned
 * into its class by the same rule ({@code five-facts-jdk} is {@code FiveFactsJdk}).
 */
final class ExampleProgram {

    /** The examples' sources, from the module's folder, where Maven runs the tests. */
    static final Path SOURCES = Path.of("src/main/java/dev/sockit/examples");

    private ExampleProgram() {}

    /** Every example's name: one per program (a class with a main method) in the sources. */
    static SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>();
        for (Path source : sources()) {
            String text = read(source);
            if (text.contains("public static void main(String[] args)")) {
                names.add(name(source.getFileName().toString().replace(".java", "")));
            }
        }
        return names;
    }

    /** Every Java file in the examples' sources. */
    static List<Path> sources() {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the examples in " + SOURCES.toAbsolutePath(), e);
        }
    }

    /** {@code FiveFactsJdk} becomes {@code five-facts-jdk}. */
    static String name(String simpleClassName) {
        return simpleClassName.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** {@code five-facts-jdk} becomes {@code dev.sockit.examples.FiveFactsJdk}. */
    static String className(String name) {
        StringBuilder simple = new StringBuilder();
        for (String part : name.split("-")) {
            simple.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return ExampleProgram.class.getPackageName() + "." + simple;
    }

    /** Starts the example with these arguments; its errors go to the test's own. */
    static Process start(String name, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), className(name)));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Runs the example to its end (within a minute), checks that it succeeded, and returns its output's lines. */
    static List<String> run(String name, String... args) throws Exception {
        Process process = start(name, args);
        try {
            // The examples print a few lines: the pipe cannot fill up before the program ends.
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ends by itself", name).isTrue();
            String output = new String(process.getInputStream().readAllBytes(), UTF_8);
            assertThat(process.exitValue()).as("%s's exit status; it printed:%n%s", name, output).isZero();
            return output.lines().toList();
        } finally {
            process.destroyForcibly();
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
        }
    }
}
