package dev.sockit.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The names nearest to a mistyped one, for "did you mean": those within a small edit distance
 * (a letter missed, added, changed, or two swapped: {@code --mdoe} → {@code --mode}), closest
 * first, and those the typed text begins (for {@code --max} the {@code --max-...} options).
 */
final class Suggestions {

    private Suggestions() {}

    /** At most {@code limit} of {@code names} near {@code typed}, nearest first. */
    static List<String> nearest(String typed, Collection<String> names, int limit) {
        String word = typed.toLowerCase(Locale.ROOT);
        int eq = word.indexOf('=');
        if (word.startsWith("-") && eq > 0) {
            word = word.substring(0, eq); // --mdoe=echo: the option's name is what was mistyped
        }
        int allowed = Math.max(1, word.replaceFirst("^-+", "").length() / 3);
        record Scored(String name, int distance) {}
        List<Scored> scored = new ArrayList<>();
        for (String name : names) {
            int d = distance(word, name.toLowerCase(Locale.ROOT));
            if (d <= allowed) {
                scored.add(new Scored(name, d));
            } else if (word.length() > 3 && name.startsWith(word)) {
                scored.add(new Scored(name, allowed + 1));
            }
        }
        scored.sort(java.util.Comparator.comparingInt(Scored::distance).thenComparing(Scored::name));
        return scored.stream().limit(limit).map(Scored::name).toList();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
