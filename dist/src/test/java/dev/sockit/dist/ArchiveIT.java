package dev.sockit.dist;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user without a JDK meets it: unpacked into an empty folder and run
 * with {@code JAVA_HOME} unset and a {@code PATH} that holds only the one tool the launcher
 * calls ({@code readlink}, when it is started through a link), so no {@code java} can be found
 * but the archive's own.
 */
class ArchiveIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    static Path home;
    private static Path image;
    private static Path tools;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("sockit.archive"));
        assertThat(archive).as("the archive `mvn package` writes").isRegularFile();
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", home.toString())
                .redirectErrorStream(true).start();
        assertThat(tar.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes(), UTF_8)).isZero();
        image = home.resolve(System.getProperty("sockit.image"));

        // A PATH with no JDK on it: copies of the launcher's tools and nothing else.
        tools = Files.createDirectory(home.resolve("tools"));
        for (String tool : List.of("readlink")) {
            Path found = Files.exists(Path.of("/usr/bin", tool)) ? Path.of("/usr/bin", tool) : Path.of("/bin", tool);
            Files.copy(found, tools.resolve(tool), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    @Test
    void printsItsVersionWithTheRuntimeItCarries() throws Exception {
        Run run = run(List.of("--version"), "");

        assertThat(run.status).as(run.err).isZero();
        assertThat(run.out).startsWith("sockit ").contains("Java 25");
    }

    @Test
    void aClientTalksToAServerBothStartedFromTheCachesTheBuildTrained() throws Exception {
        assertThat(image.resolve("lib/sockit-server.aot")).isRegularFile();
        assertThat(image.resolve("lib/sockit-client.aot")).isRegularFile();
        // AOTMode=on: a JVM that cannot use its cache (moved, or made for another runtime or
        // class path) refuses to start instead of starting slower in silence.
        String cacheRequired = "-XX:AOTMode=on";
        Process server = start(List.of("server", "tcp://127.0.0.1:0", "--no-console"), cacheRequired);
        try (BufferedReader out = server.inputReader(UTF_8)) {
            String first = CompletableFuture.supplyAsync(() -> readLine(out)).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            Matcher bound = Pattern.compile("Server start at: 127\\.0\\.0\\.1:(\\d+)").matcher(String.valueOf(first));
            assertThat(bound.find()).as("the server's first line: " + first).isTrue();

            Run client = run(List.of("client", "tcp://127.0.0.1:" + bound.group(1)), "hello\n", cacheRequired);

            assertThat(client.status).as(client.err).isZero();
            assertThat(client.out).isEqualTo("server received your message.\n");

            // The launcher finds the image from the path it was started by, without resolving it
            // (no process): a relative one must fit the cache as well.
            Run relative = run(image, "bin/sockit", List.of("client", "tcp://127.0.0.1:" + bound.group(1)), "hello\n",
                    cacheRequired);

            assertThat(relative.status).as(relative.err).isZero();
            assertThat(relative.out).isEqualTo("server received your message.\n");
        } finally {
            server.destroy(); // SIGTERM: the server stops gracefully
            if (!server.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void aServerJoinsAClusterWithTheLibrariesTheLauncherAddsForIt() throws Exception {
        // The client's and the server's class path leaves the Redis engine and its libraries out
        // unless --cluster is given; then they follow the jars the cache was trained on, and the
        // cache still fits (AOTMode=on refuses to start otherwise).
        try (RedisServer redis = RedisServer.start()) {
            Process server = start(List.of("server", "tcp://127.0.0.1:0", "--no-console", "--cluster", redis.uri(),
                    "--node", "archive-1"), "-XX:AOTMode=on");
            try (BufferedReader out = server.inputReader(UTF_8)) {
                String joined = CompletableFuture.supplyAsync(() -> {
                    String line = readLine(out); // first where it listens, then the cluster it joined
                    while (line != null && !line.startsWith("Cluster: ")) {
                        line = readLine(out);
                    }
                    return line;
                }).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

                assertThat(joined).as("the server's line on joining; its errors: " + (joined == null
                        ? readAll(server, true) : "")).startsWith("Cluster: node archive-1 of ");
            } finally {
                server.destroy();
                if (!server.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
        }
    }

    @Test
    void runsThroughASymbolicLinkFromAnotherFolder() throws Exception {
        // As an installation links it into a folder on PATH: the launcher follows the link to the image.
        Path links = Files.createDirectories(home.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve("sockit"), image.resolve("bin/sockit"));

        Run run = run(links, link.toString(), List.of("--version"), "", "");

        assertThat(run.status).as(run.err).isZero();
        assertThat(run.out).startsWith("sockit ").contains("Java 25");
    }

    @Test
    void carriesManPagesAndCompletionThatTheCommandAlsoPrints() throws Exception {
        Path share = image.resolve("share");
        assertThat(share.resolve("man/man1/sockit.1")).content(UTF_8).startsWith(".TH SOCKIT 1").contains(".SH COMMANDS");
        assertThat(share.resolve("man/man1/sockit-server.1")).content(UTF_8).contains("\\fB\\-\\-mode\\fR");
        assertThat(share.resolve("man/man1/sockit-client.1")).exists();

        Run completion = run(List.of("generate-completion"), "");

        assertThat(completion.status).as(completion.err).isZero();
        // The command prints the script with println: one newline more at the end.
        String printed = completion.out.strip();
        assertThat(Files.readString(share.resolve("bash-completion/completions/sockit"), UTF_8).strip())
                .as("share/bash-completion/completions/sockit is what generate-completion prints").isEqualTo(printed);
        assertThat(Files.readString(share.resolve("zsh/sockit.zsh"), UTF_8).strip())
                .as("share/zsh/sockit.zsh is what generate-completion prints").isEqualTo(printed);
    }

    @Test
    void itsRuntimeHoldsOnlyTheModulesSockitNeeds() throws IOException {
        String release = Files.readString(image.resolve("runtime/release"), UTF_8);

        assertThat(release).contains("java.base").contains("jdk.net").doesNotContain("java.desktop", "jdk.compiler");
        assertThat(image.resolve("runtime/bin/javac")).doesNotExist();
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(List<String> args, String input) throws Exception {
        return run(args, input, "");
    }

    private static Run run(List<String> args, String input, String javaOptions) throws Exception {
        return run(home, image.resolve("bin/sockit").toString(), args, input, javaOptions);
    }

    private static Run run(Path directory, String launcher, List<String> args, String input, String javaOptions)
            throws Exception {
        Process process = start(directory, launcher, args, javaOptions);
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(UTF_8));
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process, true));
        String out = readAll(process, false);
        assertThat(process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("sockit " + args + " ended").isTrue();
        return new Run(process.exitValue(), out, err.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
    }

    private static Process start(List<String> args, String javaOptions) throws IOException {
        return start(home, image.resolve("bin/sockit").toString(), args, javaOptions);
    }

    private static Process start(Path directory, String launcher, List<String> args, String javaOptions) throws IOException {
        ProcessBuilder builder = new ProcessBuilder().directory(directory.toFile());
        builder.command().add(launcher);
        builder.command().addAll(args);
        builder.environment().remove("JAVA_HOME");
        builder.environment().remove("SOCKIT_AOT_TRAINING");
        builder.environment().put("SOCKIT_JAVA_OPTS", javaOptions);
        builder.environment().put("PATH", tools.toString());
        builder.environment().put("HOME", home.toString());
        return builder.start();
    }

    private static String readAll(Process process, boolean err) {
        try {
            return new String((err ? process.getErrorStream() : process.getInputStream()).readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
