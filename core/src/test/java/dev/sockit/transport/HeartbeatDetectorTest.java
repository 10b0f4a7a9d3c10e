package dev.sockit.transport;

import static dev.sockit.transport.HeartbeatDetector.Action.CLOSE_IDLE;
import static dev.sockit.transport.HeartbeatDetector.Action.CLOSE_NO_HEARTBEAT;
import static dev.sockit.transport.HeartbeatDetector.Action.NOTHING;
import static dev.sockit.transport.HeartbeatDetector.Action.PING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.Heartbeat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The heartbeat's decisions, on a clock the test moves. */
class HeartbeatDetectorTest {

    private long now = 1_000_000_000L;
    private final Heartbeat policy = Heartbeat.every(Duration.ofSeconds(10)).misses(2);
    private final HeartbeatDetector detector = new HeartbeatDetector(policy, () -> now);

    private void advance(Duration d) {
        now += d.toNanos();
    }

    @Test
    void aPeerHeardFromWithinTheIntervalIsLeftAlone() {
        advance(Duration.ofSeconds(9));
        assertThat(detector.check()).isEqualTo(NOTHING);
    }

    @Test
    void aPeerSilentForTheIntervalIsPinged() {
        advance(Duration.ofSeconds(10));
        assertThat(detector.check()).isEqualTo(PING);
        assertThat(detector.check()).as("not pinged again at once").isEqualTo(NOTHING);
    }

    @Test
    void aPeerThatNeverAnswersIsClosedAfterIntervalTimesMissesPlusOne() {
        advance(Duration.ofSeconds(10));
        assertThat(detector.check()).isEqualTo(PING);
        advance(Duration.ofSeconds(10));
        assertThat(detector.check()).isEqualTo(PING);
        advance(Duration.ofSeconds(9));
        assertThat(detector.check()).isEqualTo(NOTHING);
        advance(Duration.ofSeconds(1));
        assertThat(detector.check()).isEqualTo(CLOSE_NO_HEARTBEAT);
        assertThat(detector.reason(CLOSE_NO_HEARTBEAT)).isEqualTo("no heartbeat: 2 pings unanswered, silent for over 30 s");
    }

    @Test
    void anAnsweredPingResetsTheCountAndMeasuresTheRoundTrip() {
        advance(Duration.ofSeconds(10));
        long sentAt = detector.now();
        assertThat(detector.check()).isEqualTo(PING);
        advance(Duration.ofMillis(40));
        detector.ponged(sentAt);
        assertThat(detector.unanswered()).isZero();
        assertThat(detector.roundTrip()).isEqualTo(Duration.ofMillis(40));
        advance(Duration.ofSeconds(9));
        assertThat(detector.check()).isEqualTo(NOTHING);
    }

    @Test
    void anyTrafficCountsAsALifeSign() {
        advance(Duration.ofSeconds(10));
        assertThat(detector.check()).isEqualTo(PING);
        advance(Duration.ofSeconds(5));
        detector.heard();
        advance(Duration.ofSeconds(9));
        assertThat(detector.check()).isEqualTo(NOTHING);
    }

    @Test
    void anIdlePeerIsClosedAtTheIdleTimeoutEvenWithoutPings() {
        HeartbeatDetector idle = new HeartbeatDetector(Heartbeat.DEFAULT.idleTimeout(Duration.ofMinutes(1)), () -> now);
        advance(Duration.ofSeconds(59));
        assertThat(idle.check()).isEqualTo(NOTHING);
        assertThat(idle.nextCheck()).isEqualTo(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertThat(idle.check()).isEqualTo(CLOSE_IDLE);
        assertThat(idle.reason(CLOSE_IDLE)).isEqualTo("idle for 60 s (idle timeout)");
    }

    @Test
    void theNextCheckIsDueWhenTheIntervalEnds() {
        advance(Duration.ofSeconds(3));
        assertThat(detector.nextCheck()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void anIdleTimeoutNoLongerThanTheIntervalIsRefusedWithBothValues() {
        assertThatThrownBy(() -> Heartbeat.every(Duration.ofSeconds(30)).idleTimeout(Duration.ofSeconds(20)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT20S").hasMessageContaining("PT30S");
    }
}
