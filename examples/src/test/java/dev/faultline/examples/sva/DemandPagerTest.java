package dev.faultline.examples.sva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.PageRequestGroup;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.examples.testing.RecordingFaultGroup;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.x86.FirstLevelPageTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemandPagerTest {
    private static final DeviceId DEVICE = DeviceId.parse("0000:03:00.0");
    private static final long AREA = 0x7f00_0000_0000L;
    private static final int PASID = 5;

    private final FrameAllocator frames = new FrameAllocator(new PhysicalMemory(), 0x4000_0000L, 0x100_0000L);
    private final TranslationTable table = TranslationTable.stage1(frames, 48);
    private final DemandPager pager = new DemandPager(frames, ProcessPageTable.arm(table), AREA, 0x10_0000);

    @Test
    void mapsARequestedPageInsideTheAreaAndAnswersSuccess() {
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, PASID, AREA + 0x3040, Permissions.WRITE);

        pager.handle(group);

        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(table.lookup(AREA + 0x3040)).isPresent();
        assertThat(table.lookup(AREA + 0x4000)).as("only the requested page").isEmpty();
        assertThat(pager.pagesMapped()).isEqualTo(1);
    }

    @Test
    void mapsEveryPageOfAGroupBeforeAnswering() {
        PageRequest first = PageRequest.last(DEVICE, 3, AREA, Permissions.READ).withPasid(PASID, true)
                .withLastPage(false);
        PageRequest last = PageRequest.last(DEVICE, 3, AREA + 0x1000, Permissions.READ).withPasid(PASID, true);
        RecordingFaultGroup group = RecordingFaultGroup.of(new PageRequestGroup(List.of(first, last)));

        pager.handle(group);

        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(table.lookup(AREA)).isPresent();
        assertThat(table.lookup(AREA + 0x1000)).isPresent();
    }

    @Test
    void keepsTheFrameWhenAPageIsRequestedAgainForWriting() {
        pager.handle(RecordingFaultGroup.pageRequest(DEVICE, PASID, AREA, Permissions.READ));
        long frame = table.lookup(AREA).orElseThrow();

        pager.handle(RecordingFaultGroup.pageRequest(DEVICE, PASID, AREA, Permissions.WRITE));

        assertThat(table.lookup(AREA)).hasValue(frame);
    }

    @Test
    void answersInvalidOutsideTheAreaAndForExecutionWithoutMappingAnything() {
        RecordingFaultGroup outside = RecordingFaultGroup.pageRequest(DEVICE, PASID, AREA - 0x1000, Permissions.READ);
        RecordingFaultGroup exec = RecordingFaultGroup.pageRequest(DEVICE, PASID, AREA,
                Permissions.of(Permission.READ, Permission.EXEC));

        pager.handle(outside);
        pager.handle(exec);

        assertThat(outside.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(exec.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(table.lookup(AREA)).isEmpty();
        assertThat(pager.refused()).isEqualTo(2);
    }

    @Test
    void answersFailureWhenTheFramesRunOut() {
        FrameAllocator tiny = new FrameAllocator(new PhysicalMemory(), 0x4000_0000L, 0x1000L);
        FirstLevelPageTable x86 = new FirstLevelPageTable(frames, FirstLevelPageTable.PAGE_4K);
        DemandPager starved = new DemandPager(tiny, ProcessPageTable.x86(x86), AREA, 0x10_0000);
        starved.handle(RecordingFaultGroup.pageRequest(DEVICE, PASID, AREA, Permissions.READ));
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, PASID, AREA + 0x1000, Permissions.READ);

        starved.handle(group);

        assertThat(group.answers()).containsExactly(ResponseCode.FAILURE);
        assertThat(x86.translate(AREA)).as("the first page got the only frame").isPresent();
    }

    @Test
    void pagesADeferredGroupsFaultsLikeAnInlineGroup() {
        RecordingFaultGroup inside = RecordingFaultGroup.pageRequest(DEVICE, PASID, AREA + 0x2000, Permissions.READ);
        RecordingFaultGroup outside = RecordingFaultGroup.pageRequest(DEVICE, PASID, AREA + 0x20_0000,
                Permissions.READ);

        assertThat(pager.page(inside.faults())).isEqualTo(ResponseCode.SUCCESS);
        assertThat(pager.page(outside.faults())).isEqualTo(ResponseCode.INVALID);
        assertThat(table.lookup(AREA + 0x2000)).isPresent();
    }

    @Test
    void rejectsAnAreaThatIsNotWholePages() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new DemandPager(frames, ProcessPageTable.arm(table), AREA + 1, 0x1000));
    }
}
