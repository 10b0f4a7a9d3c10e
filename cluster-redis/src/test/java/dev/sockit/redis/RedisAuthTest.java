package dev.sockit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.cluster.Broker;
import java.net.URI;
import dev.sockit.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** A Redis with an ACL user, as production ones have: user:pass@ and /DB are honoured. */
class RedisAuthTest {

    private RedisServer redis;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start("--user", "default", "off", "--user", "sockit", "on", ">s3cret", "~*", "&*", "+@all");
    }

    @AfterEach
    void stopRedis() throws Exception {
        redis.close();
    }

    @Test
    void aUserWithItsPasswordJoinsAndItsNodeIsInTheDatabaseNamed() {
        try (Broker broker = Broker.open(URI.create("redis://sockit:s3cret@127.0.0.1:" + redis.port() + "/3"), "n1")) {
            assertThat(broker.linkUp()).isTrue();
            try (Jedis jedis = new RedisSettings("127.0.0.1", redis.port(), false, "sockit", "s3cret", 3,
                    RedisSettings.DEFAULT_TTL).connect()) {
                assertThat(jedis.get("sockit:node:n1")).isEqualTo("n1");
            }
        }
    }

    @Test
    void aWrongPasswordIsRefusedWithWhatToCheck() {
        assertThatThrownBy(() -> Broker.open(URI.create("redis://sockit:wrong@127.0.0.1:" + redis.port()), "n1"))
                .hasMessageContaining("refused us").hasMessageContaining("check the user and password")
                .hasMessageNotContaining("wrong");
    }
}
