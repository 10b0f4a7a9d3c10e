package dev.sockit.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The adaptive spin's arithmetic, without sockets or clocks: waits in, budgets out. */
class SpinEstimateTest {

    private static final long FULL = 50_000;
    private static final long LEAST = 5_000;

    @Test
    void aNewConnectionGetsTheFullSpin() {
        assertThat(new SpinEstimate(FULL, LEAST).budget()).isEqualTo(FULL);
    }

    @Test
    void quickCaughtWaitsShortenTheSpinToTwiceTheirAverage() {
        SpinEstimate estimate = new SpinEstimate(FULL, LEAST);
        for (int i = 0; i < 50; i++) {
            estimate.caught(8_000);
        }
        assertThat(estimate.budget()).isEqualTo(16_000);
    }

    @Test
    void theBudgetStaysBetweenTheLeastAndTheFullSpin() {
        SpinEstimate quick = new SpinEstimate(FULL, LEAST);
        quick.caught(100);
        assertThat(quick.budget()).isEqualTo(LEAST);
        SpinEstimate slow = new SpinEstimate(FULL, LEAST);
        slow.caught(45_000);
        assertThat(slow.budget()).isEqualTo(FULL);
    }

    @Test
    void spinsThatKeepMissingRestForLongerEachTimeThenTryAgain() {
        SpinEstimate estimate = new SpinEstimate(FULL, LEAST);
        estimate.missed();
        assertThat(estimate.budget()).as("one miss: still spins").isEqualTo(FULL);
        estimate.missed();
        assertThat(restLength(estimate)).isEqualTo(2);
        estimate.missed();
        assertThat(restLength(estimate)).isEqualTo(4);
        for (int i = 0; i < 20; i++) {
            estimate.missed();
        }
        assertThat(restLength(estimate)).as("the rest is bounded").isEqualTo(64);
    }

    @Test
    void aCaughtWaitEndsTheRun() {
        SpinEstimate estimate = new SpinEstimate(FULL, LEAST);
        estimate.missed();
        estimate.missed();
        restLength(estimate);
        estimate.caught(10_000);
        estimate.missed();
        assertThat(estimate.budget()).as("one miss after a catch: still spins").isEqualTo(20_000);
    }

    /** Budgets of 0 in a row (the reads that rest), then checks the next one spins. */
    private static int restLength(SpinEstimate estimate) {
        int rest = 0;
        long budget;
        while ((budget = estimate.budget()) == 0) {
            rest++;
        }
        assertThat(budget).isPositive();
        return rest;
    }
}
