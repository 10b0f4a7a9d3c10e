package dev.sockit.dist;

import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One command's man page in roff (man(7) macros), written from its picocli model: the same
 * descriptions, defaults and examples that {@code --help} prints, so the two never disagree.
 *
 * <p>picocli-codegen's {@code ManPageGenerator} writes AsciiDoc, which needs Asciidoctor (a Ruby
 * program) to become a page {@code man} reads; the man(7) macros used here are few enough to
 * write directly, and the build needs nothing but the JDK.
 */
final class ManPage {

    private final CommandSpec command;
    private final String version;

    ManPage(CommandSpec command, String version) {
        this.command = command;
        this.version = version;
    }

    /** The file name {@code man} looks for: {@code sockit-server.1} for {@code sockit server}. */
    String fileName() {
        return command.qualifiedName("-") + ".1";
    }

    /** The page, as roff. */
    String render() {
        StringBuilder page = new StringBuilder();
        String name = command.qualifiedName("-");
        String[] description = lines(command.usageMessage().description());
        page.append(".TH ").append(escape(name.toUpperCase(Locale.ROOT))).append(" 1 \"\" \"sockit ")
                .append(escape(version)).append("\" \"sockit manual\"\n");
        page.append(".SH NAME\n").append(escape(name)).append(" \\- ").append(escape(summary(description))).append('\n');

        page.append(".SH SYNOPSIS\n.nf\n");
        String synopsis = new CommandLine.Help(command, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                .synopsis(0);
        for (String line : synopsis.strip().split("\n")) {
            page.append(escape(line.stripTrailing())).append('\n');
        }
        page.append(".fi\n");

        if (description.length > 0) {
            page.append(".SH DESCRIPTION\n");
            paragraphs(page, description, ".PP");
        }
        List<PositionalParamSpec> parameters = command.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!parameters.isEmpty()) {
            page.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec parameter : parameters) {
                page.append(".TP\n.I ").append(escape(parameter.paramLabel())).append('\n');
                paragraphs(page, lines(parameter.renderedDescription()), ".IP");
            }
        }
        List<OptionSpec> options = command.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            page.append(".SH OPTIONS\n");
            for (OptionSpec option : options) {
                page.append(".TP\n").append(optionTerm(option)).append('\n');
                paragraphs(page, lines(option.renderedDescription()), ".IP");
            }
        }
        List<CommandLine> subcommands = command.subcommands().values().stream().distinct()
                .filter(c -> !c.getCommandSpec().usageMessage().hidden()).toList();
        if (!subcommands.isEmpty()) {
            page.append(".SH COMMANDS\n");
            for (CommandLine subcommand : subcommands) {
                CommandSpec spec = subcommand.getCommandSpec();
                page.append(".TP\n.B ").append(escape(spec.name())).append('\n')
                        .append(escape(summary(lines(spec.usageMessage().description())))).append('\n');
                if (!"help".equals(spec.name())) {
                    page.append("See \\fB").append(escape(spec.qualifiedName("-"))).append("\\fR(1).\n");
                }
            }
        }
        String[] footer = lines(command.usageMessage().footer());
        if (footer.length > 0) {
            String heading = format(command.usageMessage().footerHeading()).strip();
            page.append(".SH ").append(escape(heading.isEmpty() ? "NOTES" : heading.replaceAll(":$", "").toUpperCase(Locale.ROOT)))
                    .append("\n.nf\n");
            for (String line : footer) {
                page.append(escape(line)).append('\n');
            }
            page.append(".fi\n");
        }
        if (command.parent() != null) {
            page.append(".SH SEE ALSO\n\\fB").append(escape(command.root().name())).append("\\fR(1)\n");
        }
        return page.toString();
    }

    /** {@code .BR \-m ", " \-\-mode =\fIMODE\fR}: the option's names, bold, then its value's label. */
    private static String optionTerm(OptionSpec option) {
        StringBuilder term = new StringBuilder();
        String[] names = option.names();
        for (int i = 0; i < names.length; i++) {
            term.append(i == 0 ? "" : ", ").append("\\fB").append(escape(names[i])).append("\\fR");
        }
        if (takesValue(option)) {
            term.append("=\\fI").append(escape(option.paramLabel())).append("\\fR");
        }
        return term.toString();
    }

    private static boolean takesValue(ArgSpec option) {
        return option.arity().max() > 0 && !option.typeInfo().isBoolean();
    }

    /** The description's first sentence, for NAME and for a list of commands. */
    private static String summary(String[] description) {
        if (description.length == 0) {
            return "";
        }
        String first = description[0];
        int stop = first.indexOf(": ");
        int period = first.indexOf(". ");
        int end = period >= 0 ? period : first.length();
        String sentence = first.substring(0, end).strip();
        // "Listens on ENDPOINT and serves ...: prints who ..." keeps its first clause only.
        return stop > 0 && stop < end ? sentence.substring(0, stop) : sentence.replaceAll("\\.$", "");
    }

    /**
     * Description lines as paragraphs: an empty line (from {@code %n%n}) starts a new one, with
     * {@code .PP} at the left margin or, under an option's {@code .TP}, {@code .IP} to stay indented.
     */
    private static void paragraphs(StringBuilder page, String[] lines, String breakMacro) {
        boolean written = false;
        boolean pendingBreak = false;
        for (String line : lines) {
            if (line.isBlank()) {
                pendingBreak = written;
                continue;
            }
            if (pendingBreak) {
                page.append(breakMacro).append('\n');
                pendingBreak = false;
            }
            page.append(escape(line.strip())).append('\n');
            written = true;
        }
    }

    /** picocli's descriptions are format strings ({@code %n}); as {@code --help} shows them, line by line. */
    private static String[] lines(String[] descriptions) {
        List<String> lines = new ArrayList<>();
        for (String description : descriptions) {
            lines.addAll(List.of(format(description).split("\\R", -1)));
        }
        while (!lines.isEmpty() && lines.getLast().isBlank()) {
            lines.removeLast();
        }
        return lines.toArray(String[]::new);
    }

    private static String format(String text) {
        try {
            return String.format(Locale.ROOT, text);
        } catch (IllegalFormatException e) {
            return text; // a literal '%' that was not meant as a format: picocli shows it as written too
        }
    }

    /** Text made safe for roff: backslashes, hyphens (so that options copy as ASCII), a leading dot. */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }
}
