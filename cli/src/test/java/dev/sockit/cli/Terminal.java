package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.testing.RequiredProgram;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The sockit command run at a real terminal: a pseudo-terminal made by {@code script(1)}
 * (util-linux), so that JLine, the console and Ctrl-C behave as they do for a person. What we
 * write goes to the terminal as typed keys ({@code "\u0003"} is Ctrl-C); what the command
 * prints, escape sequences and all, is collected for {@link #await}.
 */
final class Terminal implements AutoCloseable {

    private static final long DEADLINE_MILLIS = 20_000;

    private final Process process;
    private final StringBuffer screen = new StringBuffer();

    private Terminal(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon(true).start(() -> {
            byte[] chunk = new byte[4096];
            try (InputStream in = process.getInputStream()) {
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    screen.append(new String(chunk, 0, n, UTF_8));
                }
            } catch (IOException ignored) {
                // the terminal closed: the process has ended
            }
        });
    }

    /** Starts {@code sockit ARGS} at a terminal of its own. */
    static Terminal start(String... args) throws IOException {
        return start(Map.of("TERM", "dumb"), List.of(), "", args);
    }

    /**
     * Starts {@code sockit ARGS} at a terminal of its own, 100 columns by 24 rows, of type
     * {@code xterm-256color}, with JVM options and environment variables added.
     */
    static Terminal startXterm(Map<String, String> environment, List<String> jvmOptions, String... args)
            throws IOException {
        Map<String, String> all = new HashMap<>(environment);
        all.put("TERM", "xterm-256color");
        // script(1) copies its own terminal's size, and the test runs without one.
        String stty = RequiredProgram.find("stty", "coreutils").toString();
        return start(all, jvmOptions, quoted(List.of(stty, "rows", "24", "cols", "100")) + " && exec ", args);
    }

    private static Terminal start(Map<String, String> environment, List<String> jvmOptions, String before,
            String... args) throws IOException {
        Path script = RequiredProgram.find("script", "bsdutils");
        // Ctrl-C is typed here as a person types it, at whose terminal SIGINT is not ignored.
        List<String> command = new ArrayList<>(Sigint.restoring());
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Sockit.class.getName()));
        command.addAll(List.of(args));
        // -q: no banner; -f: flush at once; -e: script's status is the command's; /dev/null: no typescript file.
        ProcessBuilder builder = new ProcessBuilder(script.toString(), "-qfec", before + quoted(command), "/dev/null")
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        return new Terminal(builder.start());
    }

    private static String quoted(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            line.append(line.isEmpty() ? "" : " ").append('\'').append(word.replace("'", "'\\''")).append('\'');
        }
        return line.toString();
    }

    /** Waits until the screen shows {@code text}; fails after the deadline, showing the screen. */
    Terminal await(String text) throws InterruptedException {
        return await("\"" + text + "\"", () -> screen.indexOf(text) >= 0);
    }

    /** Waits until the whole screen matches {@code regex}; fails after the deadline, saying {@code what} it waited for. */
    Terminal awaitMatching(String what, String regex) throws InterruptedException {
        return await(what, () -> screen.toString().matches(regex));
    }

    private Terminal await(String what, BooleanSupplier shown) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        while (!shown.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline || !process.isAlive() && !shown.getAsBoolean()) {
                throw new AssertionError("the terminal never showed " + what + "; it shows: " + screen);
            }
            Thread.sleep(10); // polls a screen, not a clock: the condition is what it shows
        }
        return this;
    }

    /** Types {@code keys} at the terminal. */
    Terminal type(String keys) throws IOException {
        process.getOutputStream().write(keys.getBytes(UTF_8));
        process.getOutputStream().flush();
        return this;
    }

    /** Waits for the command to end; returns its exit status. */
    int exitStatus() throws InterruptedException {
        if (!process.waitFor(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("sockit did not exit; the terminal shows: " + screen);
        }
        return process.exitValue();
    }

    String screen() {
        return screen.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
