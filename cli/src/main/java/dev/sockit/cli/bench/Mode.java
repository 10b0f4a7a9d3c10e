package dev.sockit.cli.bench;

import java.util.Locale;

/**
 * What a benchmarked server does with what it is sent, and so what its reply must be: the
 * same names as {@code sockit server --mode}.
 */
public enum Mode {
    /** Sends each line back: the reply must be the request's own bytes. */
    ECHO,
    /** Answers each line with one fixed reply. */
    ACK,
    /**
     * Reads bytes and answers nothing: the load is a bulk transfer, raw bytes written as fast
     * as the server takes them, measured in Gbit/s (see {@link BulkSender}).
     */
    DISCARD;

    /**
     * The mode as the command line writes it: {@code echo}, {@code ack} or {@code discard}.
     *
     * @throws IllegalArgumentException naming the modes there are
     */
    public static Mode parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "echo" -> ECHO;
            case "ack" -> ACK;
            case "discard" -> DISCARD;
            default -> throw new IllegalArgumentException("unknown mode \"" + text + "\"; choose echo, ack or discard");
        };
    }

    /** The name as the command line writes it. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
