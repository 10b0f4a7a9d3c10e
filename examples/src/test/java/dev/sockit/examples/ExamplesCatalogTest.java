package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The examples stay small, and the documents that teach the walk-through name each one: an
 * example is named by the command that runs it, {@code bin/example NAME}.
 */
class ExamplesCatalogTest {

    /** The most lines of code an example may have: not counting blank lines, comments, package and imports. */
    static final int MAX_LINES_OF_CODE = 30;

    private static final Pattern NAMED = Pattern.compile("bin/example ([a-z][a-z0-9-]*)");

    @ParameterizedTest
    @MethodSource("dev.sockit.examples.ExampleProgram#sources")
    void everyExampleFitsInThirtyLinesOfCode(Path source) {
        assertThat(linesOfCode(ExampleProgram.read(source))).as("lines of code in %s", source).isLessThanOrEqualTo(MAX_LINES_OF_CODE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../docs/walkthrough.md", "../docs/walkthrough.zh-CN.md", "README.md"})
    void theDocumentNamesEveryExampleAndNoOther(String document) {
        assertThat(named(document)).as("examples named in %s", document).isEqualTo(ExampleProgram.names());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../README.md", "../README.zh-CN.md"})
    void theReadmeNamesOnlyExamplesThatExist(String readme) {
        SortedSet<String> named = named(readme);
        assertThat(named).as("examples named in %s", readme).isNotEmpty();
        assertThat(ExampleProgram.names()).containsAll(named);
    }

    @Test
    void theCountLeavesOutBlankLinesCommentsPackageAndImports() {
        String source = """
                package dev.sockit.examples;

                import java.util.List;
                /**
                 * A program.
                 */
                final class Program { // one
                    /* a remark */
                    // another
                    int field;        // two
                }
                """;
        assertThat(linesOfCode(source)).isEqualTo(3);
    }

    /** The names that {@code bin/example NAME} commands in the document give. */
    private static SortedSet<String> named(String document) {
        SortedSet<String> named = new TreeSet<>();
        for (Matcher m = NAMED.matcher(ExampleProgram.read(Path.of(document))); m.find(); ) {
            named.add(m.group(1));
        }
        return named;
    }

    /** Lines that are neither blank, nor comments, nor package or import statements. */
    static int linesOfCode(String source) {
        int count = 0;
        boolean inComment = false;
        for (String line : source.lines().map(String::strip).toList()) {
            if (inComment) {
                inComment = !line.contains("*/");
            } else if (line.startsWith("/*")) {
                inComment = !line.contains("*/");
            } else if (!line.isEmpty() && !line.startsWith("//") && !line.startsWith("package ") && !line.startsWith("import ")) {
                count++;
            }
        }
        return count;
    }
}
