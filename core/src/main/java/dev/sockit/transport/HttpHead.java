package dev.sockit.transport;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The head of an HTTP/1.1 message (RFC 9112): its first line and its header fields, names
 * lower-cased, repeated fields joined with ", ". Only what a WebSocket opening needs: no
 * bodies, no chunking.
 *
 * @param start   the request line, or a response's status line
 * @param fields  the header fields by lower-case name
 */
record HttpHead(String start, Map<String, String> fields) {

    /** The HTTP head was malformed; the text says how, for a 400 answer. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    /** Where the head in {@code in} (read mode, from its position) ends, after its blank line; -1 if not there yet. */
    static int end(ByteBuffer in) {
        for (int i = in.position() + 3; i < in.limit(); i++) {
            if (in.get(i) == '\n' && in.get(i - 1) == '\r' && in.get(i - 2) == '\n' && in.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Reads the head from the buffer's position to {@code end}, and consumes it. */
    static HttpHead parse(ByteBuffer in, int end) throws MalformedException {
        byte[] bytes = new byte[end - in.position()];
        in.get(bytes);
        String text = new String(bytes, ISO_8859_1);
        String[] lines = text.substring(0, text.length() - 4).split("\r\n", -1);
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith(" ") || line.startsWith("\t")) {
                throw new MalformedException("header line " + i + " is folded (starts with white space), which"
                        + " HTTP/1.1 no longer allows");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedException("header line " + i + " has no name before a colon: \"" + shown(line) + "\"");
            }
            String name = line.substring(0, colon);
            if (!name.chars().allMatch(HttpHead::isTokenChar)) {
                throw new MalformedException("header name \"" + shown(name) + "\" is not an HTTP token");
            }
            String value = line.substring(colon + 1).strip();
            fields.merge(name.toLowerCase(Locale.ROOT), value, (a, b) -> a + ", " + b);
        }
        return new HttpHead(lines[0], fields);
    }

    /** The field's value, or null. */
    String field(String name) {
        return fields.get(name);
    }

    /** True when the field is a comma-separated list holding {@code token}, in any case. */
    boolean hasToken(String name, String token) {
        String value = fields.get(name);
        if (value == null) {
            return false;
        }
        for (String part : value.split(",")) {
            if (part.strip().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    static String shown(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "…" : text;
        StringBuilder out = new StringBuilder();
        for (char c : cut.toCharArray()) {
            out.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
