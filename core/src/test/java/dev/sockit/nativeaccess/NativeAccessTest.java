package dev.sockit.nativeaccess;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The library in an application's JVM that has not enabled native access: the C library is
 * called only where the application asked for a feature that needs it, which then says which
 * flag to give, and nothing makes the JDK warn of a restricted method (a future JDK will refuse
 * one). The discard server's bulk path, which would set a socket option through the C library,
 * does without and still counts every byte. Core on the class path (the unnamed module) and on
 * the module path ({@code dev.sockit}), each in a JVM of its own, as {@link LibraryProgram}.
 */
class NativeAccessTest {

    // Where Maven runs the tests: the module's folder.
    private static final Path CLASSES = Path.of("target/classes");
    private static final Path TEST_CLASSES = Path.of("target/test-classes");

    @ParameterizedTest
    @ValueSource(strings = {"class path", "module path"})
    void withoutTheFlagNothingWarnsTheBulkPathCountsEveryByteAndFeaturesThatNeedItNameIt(String where)
            throws Exception {
        assertThat(CLASSES.resolve("module-info.class")).exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto"));
        if (where.equals("class path")) {
            command.addAll(List.of("-cp", CLASSES + File.pathSeparator + TEST_CLASSES));
        } else {
            command.addAll(List.of("-p", CLASSES.toString(), "--add-modules", "dev.sockit", "-cp", TEST_CLASSES.toString()));
        }
        command.add(LibraryProgram.class.getName());
        Process program = new ProcessBuilder(command).start();
        try {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(program.getErrorStream()));
            String out = readAll(program.getInputStream());
            assertThat(program.waitFor(60, TimeUnit.SECONDS)).as("the program ends by itself").isTrue();
            String errors = err.get(10, TimeUnit.SECONDS);
            assertThat(program.exitValue()).as("exit status; it printed:%n%s%n%s", out, errors).isZero();
            assertThat(errors).as("its standard error").doesNotContainIgnoringCase("restricted method")
                    .doesNotContain("WARNING");
            String flag = where.equals("class path") ? "--enable-native-access=ALL-UNNAMED" : "--enable-native-access=dev.sockit";
            List<String> lines = out.lines().toList();
            assertThat(lines).as(out).hasSize(3);
            assertThat(lines.get(0)).isEqualTo("counted " + (LibraryProgram.STREAM + LibraryProgram.TAIL));
            assertThat(lines.get(1)).startsWith("ping: java.lang.UnsupportedOperationException").contains(flag);
            assertThat(lines.get(2)).startsWith("seqpacket: ").contains(flag);
        } finally {
            program.destroyForcibly();
        }
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
