package dev.sockit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InProcessBrokerTest {

    @Test
    void aMessageReachesTheOtherNodesSubscribersNeverItsOwn() throws Exception {
        InProcessBroker.Hub hub = new InProcessBroker.Hub();
        try (Broker a = hub.join("a"); Broker b = hub.join("b")) {
            BlockingQueue<String> atA = new LinkedBlockingQueue<>(), atB = new LinkedBlockingQueue<>();
            a.subscribe("t", (from, payload) -> atA.add(from + ":" + new String(payload, StandardCharsets.UTF_8)));
            b.subscribe("t", (from, payload) -> atB.add(from + ":" + new String(payload, StandardCharsets.UTF_8)));
            assertThat(a.publish("t", "hi".getBytes(StandardCharsets.UTF_8))).isTrue();
            assertThat(atB.poll(5, TimeUnit.SECONDS)).isEqualTo("a:hi");
            b.publish("t", "back".getBytes(StandardCharsets.UTF_8));
            assertThat(atA.poll(5, TimeUnit.SECONDS)).isEqualTo("b:back");
            assertThat(atA).isEmpty();
            assertThat(a.nodes()).containsExactly("a", "b");
        }
    }

    @Test
    void aClosedNodeLeavesTheOthersView() {
        InProcessBroker.Hub hub = new InProcessBroker.Hub();
        try (Broker a = hub.join("a")) {
            Broker b = hub.join("b");
            b.close();
            assertThat(a.nodes()).containsExactly("a");
        }
    }

    @Test
    void twoNodesMayNotShareAName() {
        InProcessBroker.Hub hub = new InProcessBroker.Hub();
        try (Broker a = hub.join("a")) {
            assertThatThrownBy(() -> hub.join("a")).hasMessageContaining("node \"a\" is already in this cluster");
        }
    }

    @Test
    void standaloneReachesNoOneAndSpansNothing() {
        try (Broker alone = Broker.standalone()) {
            assertThat(alone.spansNodes()).isFalse();
            assertThat(alone.publish("t", new byte[1])).isTrue();
            assertThat(alone.stats()).isEqualTo(new Broker.Stats(0, 0, 0, 0));
        }
    }

    @Test
    void openWithNoEngineForTheSchemeSaysWhatToInstall() {
        assertThatThrownBy(() -> Broker.open(java.net.URI.create("nats://127.0.0.1:4222"), "n"))
                .hasMessageContaining("no cluster engine for nats://");
    }
}
