package dev.sockit.redis;

import dev.sockit.Backoff;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Where Redis is and how to talk to it, read from a URI as Redis users write it:
 * {@code redis://HOST:PORT}, {@code redis://:PASSWORD@HOST:PORT}, {@code redis://USER:PASSWORD@HOST:PORT/DB},
 * {@code rediss://...} for TLS (trusting the JDK's certificate authorities), and options of
 * sockit's own: {@code ?presence=10s}, how long a silent node stays among the live ones, and
 * {@code heartbeat=5s&heartbeat-misses=2}, how often the subscriber connection is pinged and
 * after how many unanswered pings in a row it is taken for dead (named as the server's
 * {@code --heartbeat} and {@code --heartbeat-misses}).
 *
 * @param host     Redis's host
 * @param port     its port (default 6379)
 * @param tls      rediss://
 * @param user     the ACL user, or null
 * @param password the password, or null
 * @param database the database number (default 0): presence keys live there, and channel names carry it
 * @param ttl      the presence key's time to live; a node renews it every third of it
 * @param heartbeat how often the subscriber connection is pinged
 * @param heartbeatMisses how many pings in a row may go unanswered: a connection silent for
 *     {@code heartbeat} × (misses + 1) is dead, and reconnected
 */
public record RedisSettings(String host, int port, boolean tls, String user, String password, int database,
        Duration ttl, Duration heartbeat, int heartbeatMisses) {

    /** A silent node leaves the others' view after this, plus at most a third of it. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);
    /** The subscriber connection is pinged this often. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);
    /** Unanswered pings in a row before the subscriber connection is dead: within 15 s by default. */
    public static final int DEFAULT_HEARTBEAT_MISSES = 2;
    private static final int CONNECT_TIMEOUT_MS = 2000;
    private static final int SOCKET_TIMEOUT_MS = 2000;

    /**
     * Settings with the default heartbeat, {@link #DEFAULT_HEARTBEAT} and {@link #DEFAULT_HEARTBEAT_MISSES}.
     *
     * @param host     Redis's host
     * @param port     its port
     * @param tls      rediss://
     * @param user     the ACL user, or null
     * @param password the password, or null
     * @param database the database number
     * @param ttl      the presence key's time to live
     */
    public RedisSettings(String host, int port, boolean tls, String user, String password, int database, Duration ttl) {
        this(host, port, tls, user, password, database, ttl, DEFAULT_HEARTBEAT, DEFAULT_HEARTBEAT_MISSES);
    }

    /** {@return how long the subscriber connection may stay silent before it is dead: heartbeat × (misses + 1)} */
    public Duration deadAfter() {
        return heartbeat.multipliedBy(heartbeatMisses + 1L);
    }

    /**
     * Reads a {@code redis://} or {@code rediss://} URI.
     *
     * @param uri the URI, e.g. {@code redis://127.0.0.1:6379/0?presence=10s}; a password with
     *     reserved characters in it is percent-encoded
     * @return the settings; nothing is connected yet
     * @throws IllegalArgumentException naming what is wrong with it and how to write it
     */
    public static RedisSettings parse(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("\"" + uri + "\" is not a Redis URI; write redis://HOST:PORT[/DB] or"
                    + " rediss://HOST:PORT for TLS");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("\"" + redact(uri) + "\" has no host; write redis://HOST:PORT, e.g."
                    + " redis://127.0.0.1:6379");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? 6379 : uri.getPort();
        String user = null, password = null;
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
            if (colon < 0) { // redis://PASSWORD@host, as redis-cli -u reads it
                password = user;
                user = null;
            }
            if (user != null && user.isEmpty()) {
                user = null;
            }
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            try {
                database = Integer.parseInt(path.substring(1));
                if (database < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + redact(uri) + "\": the path names the database, a number from 0,"
                        + " not \"" + path.substring(1) + "\"; e.g. redis://127.0.0.1:6379/2");
            }
        }
        Duration ttl = DEFAULT_TTL;
        Duration heartbeat = DEFAULT_HEARTBEAT;
        int misses = DEFAULT_HEARTBEAT_MISSES;
        if (uri.getQuery() != null) {
            for (String option : uri.getQuery().split("&")) {
                int equals = option.indexOf('=');
                String name = equals < 0 ? option : option.substring(0, equals);
                String value = equals < 0 ? "" : option.substring(equals + 1);
                switch (name) {
                    case "presence" -> ttl = duration(name, value, 300, uri);
                    case "heartbeat" -> heartbeat = duration(name, value, 100, uri);
                    case "heartbeat-misses" -> misses = misses(value, uri);
                    default -> throw new IllegalArgumentException("\"" + redact(uri) + "\": unknown option \"" + name
                            + "\"; the options are presence=DURATION, heartbeat=DURATION and heartbeat-misses=N,"
                            + " e.g. ?presence=10s&heartbeat=5s&heartbeat-misses=2");
                }
            }
        }
        return new RedisSettings(host, port, scheme.equals("rediss"), user, password, database, ttl, heartbeat, misses);
    }

    private static int misses(String text, URI uri) {
        try {
            int n = Integer.parseInt(text);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + redact(uri) + "\": heartbeat-misses must be a number from 0,"
                    + " such as 2, not \"" + text + "\"");
        }
    }

    private static Duration duration(String name, String text, long leastMillis, URI uri) {
        try {
            Duration d = text.endsWith("ms") ? Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)))
                    : text.endsWith("s") ? Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)))
                    : Duration.ofSeconds(Long.parseLong(text));
            if (d.toMillis() < leastMillis) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + redact(uri) + "\": " + name + " must be a duration of at least "
                    + leastMillis + "ms, such as 10s or 1500ms, not \"" + text + "\"");
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * A connection whose reads time out after 2 s: for commands, and for SUBSCRIBE, whose
     * handshake times out as a command's would (Jedis then waits for messages without a timeout
     * while subscribed; the broker's pings find a silent connection).
     */
    Jedis connect() {
        return new Jedis(new HostAndPort(host, port), config());
    }

    private DefaultJedisClientConfig config() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(CONNECT_TIMEOUT_MS).socketTimeoutMillis(SOCKET_TIMEOUT_MS)
                .database(database).ssl(tls).clientName("sockit");
        if (user != null) {
            config.user(user);
        }
        if (password != null) {
            config.password(password);
        }
        return config.build();
    }

    /** How each part reconnects: 100 ms, doubling to 2 s, ±50%: back within seconds once Redis is. */
    static Backoff backoff() {
        return Backoff.exponential().initial(Duration.ofMillis(100)).max(Duration.ofSeconds(2));
    }

    /** Why a first connection failed, and what to do. */
    String describeFailure(RuntimeException e) {
        if (e instanceof JedisAccessControlException || e instanceof JedisDataException data
                && String.valueOf(data.getMessage()).contains("NOAUTH")) {
            return "Redis at " + this + " refused us: " + e.getMessage()
                    + " (check the user and password in the URI: redis://USER:PASSWORD@HOST:PORT)";
        }
        return "cannot reach Redis at " + this + ": " + reason(e) + " (is redis-server running there? e.g."
                + " redis-server --port " + port + ")";
    }

    /** The innermost cause's message: "Connection refused" rather than Jedis's wrapping. */
    static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        // Jedis tries each address of the host and keeps each failure as a suppressed exception.
        if (cause.getSuppressed().length > 0 && cause.getSuppressed()[0].getMessage() != null) {
            return cause.getSuppressed()[0].getMessage();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private static String redact(URI uri) {
        return uri.getRawUserInfo() == null ? uri.toString() : uri.toString().replace(uri.getRawUserInfo() + "@", "***@");
    }

    /** The URI without its password. */
    @Override
    public String toString() {
        String who = user == null && password == null ? "" : (user == null ? "" : user) + (password == null ? "" : ":***") + "@";
        String where = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "rediss://" : "redis://") + who + where + ":" + port + (database == 0 ? "" : "/" + database);
    }
}
