package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.testkit.group.RecordingFaultGroup;
import org.junit.jupiter.api.Test;

class PendingGroupsTest {
    private static final DeviceId DEV = DeviceId.parse("0000:01:00.0");
    private static final DeviceId OTHER = DeviceId.parse("0000:02:00.0");

    private static RecordingFaultGroup group() {
        return RecordingFaultGroup.pageRequest(DEV, Pasid.NONE, 1, 0x1000, Permissions.READ);
    }

    @Test
    void issuesCookiesFromOneInOrder() {
        PendingGroups pending = new PendingGroups(8);
        assertThat(pending.add(group().defer(), DEV).cookie).isEqualTo(1);
        assertThat(pending.add(group().defer(), DEV).cookie).isEqualTo(2);
        assertThat(pending.issued(2)).isTrue();
        assertThat(pending.issued(3)).isFalse();
        assertThat(pending.issued(0)).isFalse();
    }

    @Test
    void wrapsPastZeroWhichIsNeverACookie() {
        PendingGroups pending = new PendingGroups(8, -3);
        assertThat(pending.add(group().defer(), DEV).cookie).isEqualTo(-2);
        assertThat(pending.add(group().defer(), DEV).cookie).isEqualTo(-1);
        assertThat(pending.add(group().defer(), DEV).cookie).as("0 is never a cookie").isEqualTo(1);
        assertThat(pending.issued(0x7000_0000)).as("after a wrap every non-zero cookie was issued").isTrue();
    }

    @Test
    void retiresGroupsTheHostAnsweredFromTheOldestOnWhenRoomIsNeeded() {
        PendingGroups pending = new PendingGroups(2);
        RecordingFaultGroup first = group();
        RecordingFaultGroup second = group();
        pending.add(first.defer(), DEV);
        pending.add(second.defer(), DEV);
        assertThat(pending.hasRoom()).isFalse();
        second.expire();
        assertThat(pending.hasRoom()).as("the oldest is still unanswered").isFalse();
        first.expire();
        assertThat(pending.hasRoom()).isTrue();
        assertThat(pending.size()).isZero();
    }

    @Test
    void keepsGroupsTheHostAnsweredWhileThereIsRoomSoALateAnswerCanBeToldApart() {
        PendingGroups pending = new PendingGroups(4);
        RecordingFaultGroup g = group();
        int cookie = pending.add(g.defer(), DEV).cookie;
        g.expire();
        assertThat(pending.hasRoom()).isTrue();
        assertThat(pending.get(cookie)).isNotNull();
    }

    @Test
    void findsTheUnansweredGroupsOfOneDevice() {
        PendingGroups pending = new PendingGroups(8);
        RecordingFaultGroup answered = group();
        pending.add(group().defer(), DEV);
        pending.add(answered.defer(), DEV);
        pending.add(RecordingFaultGroup.pageRequest(OTHER, Pasid.NONE, 1, 0, Permissions.READ).defer(), OTHER);
        answered.expire();
        assertThat(pending.unansweredOf(DEV)).extracting(e -> e.cookie).containsExactly(1);
        assertThat(pending.size()).isEqualTo(3);
        assertThat(pending.clear()).extracting(e -> e.cookie).containsExactly(1, 3);
        assertThat(pending.size()).isZero();
    }
}
