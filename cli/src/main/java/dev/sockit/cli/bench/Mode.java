package dev.sockit.cli.bench;

import java.util.Locale;

/** What a benchmarked server does with each line, and so what its reply must be. */
public enum Mode {
    /** Sends each line back: the reply must be the request's own bytes. */
    ECHO,
    /** Answers each line with one fixed reply. */
    ACK;

    /**
     * The mode as the command line writes it: {@code echo} or {@code ack}.
     *
     * @throws IllegalArgumentException naming the modes there are
     */
    public static Mode parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "echo" -> ECHO;
            case "ack" -> ACK;
            default -> throw new IllegalArgumentException("unknown mode \"" + text + "\"; choose echo or ack");
        };
    }

    /** The name as the command line writes it. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
