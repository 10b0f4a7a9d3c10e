package dev.sockit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The built-in handlers by name. What each does (ack, echo, discard, chat) and how groups keep
 * their members is tested without a socket, on the test kit, in the testkit module's
 * BuiltInHandlersTest: core's tests cannot depend on the kit, which depends on core.
 */
class HandlersTest {

    @Test
    void forModeRefusesAnUnknownModeNamingIt() {
        assertThatThrownBy(() -> Handlers.forMode("shout", "ok"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"shout\"")
                .hasMessageContaining("ack, echo, chat or discard");
    }
}
