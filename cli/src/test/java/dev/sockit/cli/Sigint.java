package dev.sockit.cli;

import dev.sockit.testing.RequiredProgram;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * SIGINT for the commands a test starts as a person would, at a terminal or in the foreground:
 * with its default action, whoever started the test run. A run started as a background job of
 * a script ({@code bash -c 'mvn verify & wait'}) inherits SIGINT ignored and hands that on to
 * every process it starts; a JVM that inherits it ignored keeps it so (a background job is not
 * the terminal's to interrupt), and then a Ctrl-C test waits out its deadline for nothing.
 */
final class Sigint {

    private static final int SIGINT = 2;
    private static final List<String> LAUNCHER = launcher();

    private Sigint() {}

    /**
     * {@return the words to put before a command line} so that the command gets SIGINT's default
     * action back: coreutils' {@code env --default-signal=INT} when this run ignores SIGINT, none
     * otherwise. Skips the test (fails it under CI) when SIGINT is ignored and env cannot restore it.
     */
    static List<String> restoring() {
        if (LAUNCHER == null) {
            RequiredProgram.missing("SIGINT is ignored by this test run (started as a background job?) and this env"
                    + " cannot give it back to the commands it starts (env --default-signal needs coreutils 9.0)",
                    "coreutils");
        }
        return LAUNCHER;
    }

    /** {@return true when this JVM ignores SIGINT}, as /proc/self/status says (SigIgn, a mask of bit n-1 for signal n). */
    static boolean ignoredHere() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return new BigInteger(line.substring("SigIgn:".length()).trim(), 16).testBit(SIGINT - 1);
                }
            }
            throw new IllegalStateException("/proc/self/status has no SigIgn line");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
    }

    private static List<String> launcher() {
        if (!ignoredHere()) {
            return List.of();
        }
        Path env = RequiredProgram.lookUp("env");
        try {
            if (env != null && new ProcessBuilder(env.toString(), "--default-signal=INT", "true").start().waitFor() == 0) {
                return List.of(env.toString(), "--default-signal=INT");
            }
        } catch (IOException e) {
            // no env to run: said by restoring()
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
