package dev.sockit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sockit} command: a server and a client for TCP sockets, framed as lines.
 * Output for people goes to stdout, diagnostics to stderr; a failure is one line on stderr
 * and a non-zero exit status, with the stack trace only under {@code --verbose}.
 */
@Command(name = "sockit",
        mixinStandardHelpOptions = true,
        versionProvider = Sockit.Version.class,
        description = "The socket toolkit: a server that answers many clients at once, a client that "
                + "talks to any line-based server, and a load generator to measure either. Endpoints are URIs; "
                + "the default is tcp://127.0.0.1:8001.%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sockit server                    # listen on tcp://127.0.0.1:8001, ack lines",
            "  sockit client                    # talk to it, in a second terminal",
            "  printf 'a\\nb\\n' | sockit client  # one reply per line on stdout, then exit",
            "  sockit server tcp://[::1]:9000 --mode echo",
            "  sockit relay tcp://127.0.0.1:8080 tcp://10.0.0.5:80   # forward every connection",
            "  sockit bench tcp://127.0.0.1:8001 --conns 64 --depth 16 --duration 10s",
            "  sockit cert && sockit server tls://127.0.0.1:8443 --cert sockit-cert.pem --key sockit-key.pem",
            "  source <(sockit generate-completion)   # complete commands and options in bash or zsh",
            "",
            "Run 'sockit COMMAND --help' for a command's options.",
        })
public final class Sockit implements Runnable {

    /** Status for a failure that is not a usage error: cannot connect, cannot listen. */
    static final int FAILED = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** The subcommands, in the order --help lists them. */
    static final List<String> COMMANDS =
            List.of("server", "client", "relay", "bench", "cert", "ping", "generate-completion", "help");

    public static void main(String[] args) {
        Callable<Integer> bare = BareCommand.of(args);
        System.exit(bare != null ? BareCommand.run(bare) : commandLine(args).execute(args));
    }

    /** The command line with every subcommand and sockit's error handling: for --help, man pages, completion and tests. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Sockit());
        for (String name : COMMANDS) {
            commandLine.addSubcommand(name, subcommand(name));
        }
        // picocli hides it by default; shown, so that --help tells where completion comes from.
        commandLine.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        return configured(commandLine);
    }

    /**
     * The command line to run {@code args} with. picocli builds a command's model by reflection,
     * option by option, from classes compiled for Java 5 that no class-data archive keeps; building
     * all eight took a third of the client's start-up (docs/performance.md). So when the first
     * argument names a command that needs no other, only that one is modelled; anything else
     * (no command, --help, a misspelt name, help, generate-completion) gets them all.
     */
    static CommandLine commandLine(String... args) {
        if (args.length == 0 || !COMMANDS.contains(args[0]) || args[0].equals("help") || args[0].equals("generate-completion")) {
            return commandLine();
        }
        return configured(new CommandLine(new Sockit()).addSubcommand(args[0], subcommand(args[0])));
    }

    /** sockit's error handling and parsing rules; set once the subcommands are in, as picocli applies them to those present. */
    private static CommandLine configured(CommandLine commandLine) {
        commandLine.setExecutionExceptionHandler(Sockit::reportFailure);
        commandLine.setParameterExceptionHandler(Sockit::reportUsageError);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        giveEveryCommandTheVersion(commandLine);
        return commandLine;
    }

    private static Object subcommand(String name) {
        return switch (name) {
            case "server" -> new ServerCommand();
            case "client" -> new ClientCommand();
            case "relay" -> new RelayCommand();
            case "bench" -> new BenchCommand();
            case "cert" -> new CertCommand();
            case "ping" -> new PingCommand();
            case "generate-completion" -> new AutoComplete.GenerateCompletion();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no command " + name + "; the commands are " + COMMANDS);
        };
    }

    // mixinStandardHelpOptions gives each subcommand --version, but it prints nothing without a
    // provider: give ours to every command that has none, including those added later.
    private static void giveEveryCommandTheVersion(CommandLine commandLine) {
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            if (sub.getCommandSpec().versionProvider() == null) {
                sub.getCommandSpec().versionProvider(new Version());
            }
            giveEveryCommandTheVersion(sub);
        }
    }

    /**
     * A usage error in two lines, not the whole usage: what was wrong, then the nearest option
     * or command when there is one, and where the full list is.
     *
     * <pre>
     * sockit server: Unknown option: '--mdoe'
     *   did you mean --mode? ('sockit server --help' lists every option)
     * </pre>
     */
    static int reportUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter err = failed.getErr();
        String name = failed.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        List<String> suggestions = List.of();
        boolean option = true;
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String typed = unmatched.getUnmatched().getFirst();
            option = typed.startsWith("-");
            suggestions = Suggestions.nearest(typed, option ? failed.getCommandSpec().optionsMap().keySet()
                    : failed.getSubcommands().keySet(), 3);
        }
        String help = "'" + name + " --help' lists every " + (option ? "option" : "command");
        err.println(suggestions.isEmpty() ? "  (" + help + ")"
                : "  did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size())))
                        + "? (" + help + ")");
        err.flush();
        return failed.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public void run() {
        // "sockit" alone: teach, don't fail.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** One line on stderr, saying what failed; the stack trace only for --verbose. */
    private static int reportFailure(Exception e, CommandLine failed, CommandLine.ParseResult parseResult) {
        return reportFailure(e, failed.getErr(), failed.getCommand() instanceof Verbose v && v.verbose(),
                failed.getCommandSpec().exitCodeOnInvalidInput());
    }

    /** The same for a command run without picocli ({@link BareCommand}); {@code usage} is the status for a bad value. */
    static int reportFailure(Exception e, PrintWriter err, boolean verbose, int usage) {
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        err.println("sockit: " + message);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof IllegalArgumentException ? usage : FAILED;
    }

    /** A command that can print stack traces on request. */
    interface Verbose {
        boolean verbose();
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = Sockit.class.getResourceAsStream("/sockit-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {
                "sockit " + properties.getProperty("version", "(unknown version)"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
            };
        }
    }
}
