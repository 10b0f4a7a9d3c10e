package dev.sockit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {

    private static RedisSettings parse(String uri) {
        return RedisSettings.parse(URI.create(uri));
    }

    @Test
    void readsHostPortAndDefaults() {
        assertThat(parse("redis://127.0.0.1:6380"))
                .isEqualTo(new RedisSettings("127.0.0.1", 6380, false, null, null, 0, RedisSettings.DEFAULT_TTL));
        assertThat(parse("redis://cache.internal").port()).isEqualTo(6379);
    }

    @Test
    void readsUserPasswordDatabaseAndTls() {
        RedisSettings s = parse("rediss://alice:s%40cret@[::1]:6390/3");
        assertThat(s).isEqualTo(new RedisSettings("::1", 6390, true, "alice", "s@cret", 3, RedisSettings.DEFAULT_TTL));
        assertThat(s.toString()).isEqualTo("rediss://alice:***@[::1]:6390/3");
    }

    @Test
    void aPasswordAloneIsReadAsRedisCliReadsIt() {
        assertThat(parse("redis://:hunter2@h:1").password()).isEqualTo("hunter2");
        assertThat(parse("redis://:hunter2@h:1").user()).isNull();
        assertThat(parse("redis://hunter2@h:1").password()).isEqualTo("hunter2");
    }

    @Test
    void readsThePresenceTime() {
        assertThat(parse("redis://h:1?presence=3s").ttl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(parse("redis://h:1?presence=1500ms").ttl()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void readsTheSubscriberHeartbeatNamedAsTheServersOptions() {
        RedisSettings defaults = parse("redis://h:1");
        assertThat(defaults.heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.heartbeatMisses()).isEqualTo(2);
        assertThat(defaults.deadAfter()).isEqualTo(Duration.ofSeconds(15));
        RedisSettings set = parse("redis://h:1?presence=3s&heartbeat=1s&heartbeat-misses=3");
        assertThat(set.ttl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(set.heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(set.deadAfter()).isEqualTo(Duration.ofSeconds(4));
        assertThatThrownBy(() -> parse("redis://h:1?heartbeat=50ms")).hasMessageContaining("heartbeat must be a duration of at least 100ms");
        assertThatThrownBy(() -> parse("redis://h:1?heartbeat-misses=-1")).hasMessageContaining("heartbeat-misses must be a number");
    }

    @Test
    void refusesWhatIsNotARedisUriSayingHowToWriteOne() {
        assertThatThrownBy(() -> parse("http://h:1")).hasMessageContaining("write redis://HOST:PORT[/DB]");
        assertThatThrownBy(() -> parse("redis://h:1/zero")).hasMessageContaining("a number from 0, not \"zero\"");
        assertThatThrownBy(() -> parse("redis://h:1?presence=100ms")).hasMessageContaining("at least 300ms");
        assertThatThrownBy(() -> parse("redis://h:1?timeout=1")).hasMessageContaining("unknown option \"timeout\"");
        assertThatThrownBy(() -> parse("redis://u:secret@h:1/x")).hasMessageNotContaining("secret");
    }
}
