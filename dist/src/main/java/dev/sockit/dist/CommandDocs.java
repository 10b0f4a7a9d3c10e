package dev.sockit.dist;

import dev.sockit.cli.Sockit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes what the archive's {@code share/} holds, from the picocli model of {@code sockit}
 * (run by Maven at prepare-package; see dist/pom.xml):
 *
 * <pre>
 *   man/man1/sockit.1, sockit-server.1, ...      one page per command
 *   bash-completion/completions/sockit           found by bash-completion when share/ is its prefix
 *   zsh/sockit.zsh                               for zsh: source it from ~/.zshrc
 * </pre>
 *
 * Usage: {@code CommandDocs SHARE_DIR VERSION}.
 */
public final class CommandDocs {

    private CommandDocs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: CommandDocs SHARE_DIR VERSION, e.g. CommandDocs target/image/share 0.1.0");
        }
        Path share = Path.of(args[0]);
        String version = args[1];
        CommandLine sockit = Sockit.commandLine();

        Path man = Files.createDirectories(share.resolve("man/man1"));
        int pages = writePages(sockit, man, version);

        // The same script `sockit generate-completion` prints; it switches on bashcompinit under zsh.
        String completion = AutoComplete.bash("sockit", sockit);
        write(Files.createDirectories(share.resolve("bash-completion/completions")).resolve("sockit"), completion);
        write(Files.createDirectories(share.resolve("zsh")).resolve("sockit.zsh"), completion);
        System.out.println("dist: wrote " + pages + " man pages and the bash and zsh completion into " + share);
    }

    /** A page for the command and each visible subcommand below it; picocli's own help needs none. */
    private static int writePages(CommandLine command, Path dir, String version) throws IOException {
        ManPage page = new ManPage(command.getCommandSpec(), version);
        write(dir.resolve(page.fileName()), page.render());
        int written = 1;
        for (CommandLine subcommand : command.getSubcommands().values().stream().distinct().toList()) {
            if (!subcommand.getCommandSpec().usageMessage().hidden() && !"help".equals(subcommand.getCommandName())) {
                written += writePages(subcommand, dir, version);
            }
        }
        return written;
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
