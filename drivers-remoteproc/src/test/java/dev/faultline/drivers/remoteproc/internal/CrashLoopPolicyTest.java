package dev.faultline.drivers.remoteproc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CrashLoopPolicyTest {

    @Test
    void allowsUpToTheMaximumWithinTheWindow() {
        CrashLoopPolicy policy = new CrashLoopPolicy(2, 100);

        assertThat(policy.allows(0)).isTrue();
        policy.recordRecovery(0);
        assertThat(policy.allows(10)).isTrue();
        policy.recordRecovery(10);

        assertThat(policy.allows(99)).isFalse();
        assertThat(policy.allows(100)).isTrue();
    }

    @Test
    void zeroMeansUnbounded() {
        CrashLoopPolicy policy = new CrashLoopPolicy(0, 100);
        for (int i = 0; i < 50; i++) {
            policy.recordRecovery(i);
        }

        assertThat(policy.allows(50)).isTrue();
    }

    @Test
    void resetForgetsEveryRecovery() {
        CrashLoopPolicy policy = new CrashLoopPolicy(1, 100);
        policy.recordRecovery(0);

        policy.reset();

        assertThat(policy.allows(1)).isTrue();
        assertThat(policy.recentRecoveries(1)).isZero();
    }

    @Test
    void rejectsANegativeMaximumOrAnEmptyWindow() {
        assertThatThrownBy(() -> new CrashLoopPolicy(-1, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CrashLoopPolicy(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
