package dev.sockit;

import java.util.List;
import java.util.Map;

/**
 * What the nodes of a cluster answered to a question (their connections, their counters), and
 * which live nodes said nothing in time. A server alone answers for itself only.
 *
 * @param answers by node name, sorted
 * @param silent  the nodes that did not answer before the deadline (busy, or just gone)
 * @param <T>     the answer's type
 */
public record Survey<T>(Map<String, T> answers, List<String> silent) {
    /** Copies both, the answers sorted by node name. */
    public Survey {
        answers = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(answers));
        silent = List.copyOf(silent);
    }
}
