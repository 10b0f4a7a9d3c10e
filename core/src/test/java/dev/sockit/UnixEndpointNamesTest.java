package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** How abstract names and seqpacket endpoints are written, and read back. */
class UnixEndpointNamesTest {

    @Test
    void anAtSignNamesTheAbstractNamespace() {
        Endpoint endpoint = Endpoint.parse("unix:@app");
        assertThat(endpoint.kind()).isEqualTo(Endpoint.Kind.UNIX);
        assertThat(endpoint.isAbstract()).isTrue();
        assertThat(endpoint.authority()).isEqualTo("@app");
        assertThat(endpoint.toString()).isEqualTo("unix:@app");
        assertThat(Endpoint.parse("unix://@app")).isEqualTo(endpoint);
    }

    @Test
    void aFileWhoseNameStartsWithAnAtSignIsWrittenWithADirectory() {
        Endpoint endpoint = Endpoint.parse("unix:./@app");
        assertThat(endpoint.isAbstract()).isFalse();
        assertThat(endpoint.path()).isEqualTo(Path.of("./@app"));
    }

    @Test
    void seqpacketEndpointsTakeAPathOrAnAbstractNameAndReadBack() {
        Endpoint file = Endpoint.parse("unix+seqpacket:/run/app.sock");
        assertThat(file.kind()).isEqualTo(Endpoint.Kind.UNIX_SEQPACKET);
        assertThat(file.kind().isUnix()).isTrue();
        assertThat(file.path()).isEqualTo(Path.of("/run/app.sock"));
        assertThat(Endpoint.parse(file.toString())).isEqualTo(file);
        Endpoint name = Endpoint.parse("unix+seqpacket:@app");
        assertThat(name.isAbstract()).isTrue();
        assertThat(name.toString()).isEqualTo("unix+seqpacket:@app");
    }

    @Test
    void anEmptyNameIsRefusedWithBothWaysToWriteOne() {
        assertThatThrownBy(() -> Endpoint.parse("unix+seqpacket:@"))
                .hasMessage("endpoint \"unix+seqpacket:@\" has no name; write unix+seqpacket:/path/to.sock, or"
                        + " unix+seqpacket:@NAME (abstract, Linux)");
    }
}
