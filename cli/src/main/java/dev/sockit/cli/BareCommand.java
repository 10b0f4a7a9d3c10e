package dev.sockit.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sockit client [ENDPOINT]} and {@code sockit server [ENDPOINT...]} with no option: run
 * without picocli. picocli builds a command's model by reflection over every option and mixin,
 * and parses with it; for these two commands that was a third of the time to the prompt
 * (85 and 140 ms of the client's and the server's 330 and 450 ms, docs/performance.md), spent on
 * a command line that sets nothing. Here the command object is built as is, so each of its
 * fields holds its default as a Java initializer; {@code BareCommandTest} checks that these
 * equal the {@code defaultValue}s picocli applies, field by field, mixins included. Anything
 * else (an option, {@code @file}, {@code --}, another command, too many endpoints) goes to picocli.
 */
final class BareCommand {

    /** picocli's status for a usage error (CommandLine.ExitCode.USAGE), as the picocli path gives for a bad value. */
    static final int USAGE = 2;

    private BareCommand() {
    }

    /** The command {@code args} names, ready to call, or null when they need picocli. */
    static Callable<Integer> of(String... args) {
        if (args.length == 0) {
            return null;
        }
        List<String> operands = List.of(args).subList(1, args.length);
        for (String operand : operands) {
            if (operand.isEmpty() || operand.startsWith("-") || operand.startsWith("@")) {
                return null;
            }
        }
        return switch (args[0]) {
            case "client" -> {
                if (operands.size() > 1) {
                    yield null; // picocli says what is wrong
                }
                // At a terminal where the prompt cannot be drawn before JLine's terminal is ready, that
                // terminal (the longest part of the way to the prompt) begins at once, before the
                // command object with all its options' defaults is made.
                SystemTerminal terminal = ClientCommand.interactive() && !EarlyPrompt.possible() ? SystemTerminal.start() : null;
                ClientCommand client = new ClientCommand();
                client.terminal = terminal;
                if (!operands.isEmpty()) {
                    client.endpoint = operands.getFirst();
                }
                yield client;
            }
            case "server" -> {
                ServerCommand server = new ServerCommand();
                server.endpoints.addAll(operands);
                yield server;
            }
            default -> null;
        };
    }

    /** Runs it as picocli's execute would: its status, or a failure reported as Sockit reports one. */
    static int run(Callable<Integer> command) {
        try {
            Integer status = command.call();
            return status == null ? 0 : status;
        } catch (Exception e) {
            return Sockit.reportFailure(e, new PrintWriter(new OutputStreamWriter(System.err), true), false, USAGE);
        }
    }
}
