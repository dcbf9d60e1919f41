package dev.faultline.soak.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/**
 * The simulation finds a real bug class and its seed replays it. The bug, put in by the test: the watchdog answers
 * an inline call past its deadline on the handler's behalf without claiming the call's group first
 * ({@code BrokenWatchdogCore#scanWithoutClaim}, a fixture of the core's test jar), so when the blocked handler
 * returns and answers, its answer is sent too, and the device hears two answers for one group. It shows only in the interleavings where a handler blocks
 * past its deadline and the watchdog's scan runs during the block; the simulation reaches them, and the seed of
 * the failure fails the same way, at the same step, every time.
 */
class SeededBugTest {
    private static Simulation.Config config(long seed, boolean bug) {
        return new Simulation.Config(seed, 6, 400, bug, false);
    }

    @Test
    void aWatchdogThatAnswersWithoutClaimingIsFoundAndItsSeedReplaysTheSameFailure() {
        SimulationFailure found = null;
        for (long seed = 1; seed <= 20 && found == null; seed++) {
            long s = seed;
            found = catchThrowableOfType(SimulationFailure.class, () -> Simulation.run(config(s, true)));
        }

        assertThat(found).as("a failure among 20 seeds").isNotNull();
        assertThat(found.violation()).as("what the bug breaks: one answer per group, and the counters with it")
                .containsAnyOf("heard a second answer", "counters do not balance");
        assertThat(found.getMessage()).contains("-Dfaultline.seed=" + found.seed(),
                "-D" + Simulation.BUG_PROPERTY + "=" + Simulation.WATCHDOG_WITHOUT_CLAIM, "last events of the trace");

        long seed = found.seed();
        SimulationFailure again = catchThrowableOfType(SimulationFailure.class,
                () -> Simulation.run(config(seed, true)));
        assertThat(again).as("the replay of seed %d", seed).isNotNull();
        assertThat(again.step()).isEqualTo(found.step());
        assertThat(again.getMessage()).isEqualTo(found.getMessage());

        assertThatCode(() -> Simulation.run(config(seed, false))).as("seed %d without the bug", seed)
                .doesNotThrowAnyException();
    }
}
