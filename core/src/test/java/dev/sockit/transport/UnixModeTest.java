package dev.sockit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class UnixModeTest {

    @Test
    void readsOctal() {
        assertThat(Unix.parseMode("600")).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Unix.parseMode("0660")).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
        assertThat(Unix.parseMode("777")).isEqualTo(PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @Test
    void readsTheFormLsShows() {
        assertThat(Unix.parseMode("rw-rw-rw-")).isEqualTo(PosixFilePermissions.fromString("rw-rw-rw-"));
    }

    @Test
    void writesOctalBack() {
        assertThat(Unix.formatMode(Unix.parseMode("640"))).isEqualTo("0640");
        assertThat(Unix.formatMode(Unix.DEFAULT_MODE)).isEqualTo("0600");
    }

    @Test
    void refusesWhatIsNotAMode() {
        assertThatThrownBy(() -> Unix.parseMode("800")).hasMessageContaining("\"800\" is not a file mode")
                .hasMessageContaining("600");
        assertThatThrownBy(() -> Unix.parseMode("u+rw")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Unix.parseMode("4600")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAModeThatLetsNobodyConnect() {
        assertThatThrownBy(() -> Unix.parseMode("444")).hasMessageContaining("lets nobody connect")
                .hasMessageContaining("needs write permission");
    }
}
