package dev.faultline.examples.sva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.PageRequestGroup;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.platform.arm.Descriptor;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PagingEntry;
import dev.faultline.platform.x86.PagingLevel;
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
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA + 0x3040, Permissions.WRITE);

        pager.handle(group);

        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(table.lookup(AREA + 0x3040)).isPresent();
        assertThat(table.lookup(AREA + 0x4000)).as("only the requested page").isEmpty();
        assertThat(pager.pagesMapped()).isEqualTo(1);
    }

    @Test
    void mapsEveryPageOfAGroupBeforeAnswering() {
        RecordingFaultGroup group = twoRequests(AREA, Permissions.READ, AREA + 0x1000, Permissions.READ);

        pager.handle(group);

        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(table.lookup(AREA)).isPresent();
        assertThat(table.lookup(AREA + 0x1000)).isPresent();
    }

    @Test
    void makesAPageMappedForReadingWritableWhenTheDeviceWritesItKeepingItsFrame() {
        RecordingFaultGroup read = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA + 0x10, Permissions.READ);
        pager.handle(read);
        long frame = table.lookup(AREA).orElseThrow();
        assertThat(armDescriptor(AREA) & Descriptor.AP_RDONLY).as("mapped read-only for a read").isNotZero();

        RecordingFaultGroup write = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA + 0x18, Permissions.WRITE);
        pager.handle(write);

        assertThat(read.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(write.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(table.lookup(AREA)).hasValue(frame);
        assertThat(armDescriptor(AREA) & Descriptor.AP_RDONLY).as("writable after the write request").isZero();
        assertThat(pager.pagesMapped()).isEqualTo(1);
        assertThat(pager.pagesUpgraded()).isEqualTo(1);
        assertThat(pager.refused()).isZero();
    }

    @Test
    void upgradesAnX86FirstLevelPageTheSameWay() {
        FirstLevelPageTable x86 = new FirstLevelPageTable(frames, FirstLevelPageTable.PAGE_4K);
        DemandPager x86Pager = new DemandPager(frames, ProcessPageTable.x86(x86), AREA, 0x10_0000);
        x86Pager.handle(RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA, Permissions.READ));
        long frame = x86.translate(AREA).orElseThrow();
        assertThat(x86Pte(x86, AREA) & PagingEntry.WRITABLE).isZero();

        RecordingFaultGroup write = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA, Permissions.READ_WRITE);
        x86Pager.handle(write);

        assertThat(write.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(x86.translate(AREA)).hasValue(frame);
        assertThat(x86Pte(x86, AREA) & PagingEntry.WRITABLE).isNotZero();
    }

    @Test
    void answersSuccessToARequestTheMappingAlreadyAllowsAndNeverTakesAPermissionAway() {
        pager.handle(RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA, Permissions.WRITE));
        long frame = table.lookup(AREA).orElseThrow();
        RecordingFaultGroup readAgain = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA, Permissions.READ);
        RecordingFaultGroup writeAgain = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA, Permissions.WRITE);

        pager.handle(readAgain);
        pager.handle(writeAgain);

        assertThat(readAgain.answers()).as("a spurious fault: handle_mm_fault finds the page present")
                .containsExactly(ResponseCode.SUCCESS);
        assertThat(writeAgain.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(table.lookup(AREA)).hasValue(frame);
        assertThat(armDescriptor(AREA) & Descriptor.AP_RDONLY).as("still writable").isZero();
        assertThat(pager.pagesMapped()).isEqualTo(1);
        assertThat(pager.pagesUpgraded()).isZero();
    }

    @Test
    void answersAGroupWithAReadAndAWriteOfTheSamePageSuccess() {
        RecordingFaultGroup group = twoRequests(AREA, Permissions.READ, AREA + 0x8, Permissions.WRITE);

        pager.handle(group);

        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(armDescriptor(AREA) & Descriptor.AP_RDONLY).isZero();
    }

    @Test
    void answersInvalidToARequestWithoutAPasidAndMapsNothing() {
        RecordingFaultGroup noPasid = RecordingFaultGroup.of(PageRequestGroup.of(
                PageRequest.last(DEVICE, 7, AREA, Permissions.READ)));

        pager.handle(noPasid);

        assertThat(noPasid.answers()).as("iommu_sva_handle_mm needs PASID_VALID").containsExactly(ResponseCode.INVALID);
        assertThat(pager.page(noPasid.faults())).isEqualTo(ResponseCode.INVALID);
        assertThat(table.lookup(AREA)).isEmpty();
        assertThat(pager.refused()).isEqualTo(2);
    }

    @Test
    void answersInvalidOutsideTheAreaAndForExecutionWithoutMappingAnything() {
        RecordingFaultGroup outside = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA - 0x1000, Permissions.READ);
        RecordingFaultGroup exec = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA,
                Permissions.of(Permission.READ, Permission.EXEC));

        pager.handle(outside);
        pager.handle(exec);

        assertThat(outside.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(exec.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(table.lookup(AREA)).isEmpty();
        assertThat(pager.refused()).isEqualTo(2);
    }

    @Test
    void answersInvalidNotFailureWhenTheFramesRunOut() {
        FrameAllocator tiny = new FrameAllocator(new PhysicalMemory(), 0x4000_0000L, 0x1000L);
        FirstLevelPageTable x86 = new FirstLevelPageTable(frames, FirstLevelPageTable.PAGE_4K);
        DemandPager starved = new DemandPager(tiny, ProcessPageTable.x86(x86), AREA, 0x10_0000);
        starved.handle(RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA, Permissions.READ));
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA + 0x1000, Permissions.READ);

        starved.handle(group);

        assertThat(group.answers()).as("VM_FAULT_OOM is a VM_FAULT_ERROR: INVALID; FAILURE would stop the device's"
                + " page requests").containsExactly(ResponseCode.INVALID);
        assertThat(x86.translate(AREA)).as("the first page got the only frame").isPresent();
        assertThat(x86.translate(AREA + 0x1000)).isEmpty();
        assertThat(starved.refused()).isEqualTo(1);
    }

    @Test
    void pagesADeferredGroupsFaultsLikeAnInlineGroup() {
        RecordingFaultGroup inside = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA + 0x2000, Permissions.READ);
        RecordingFaultGroup outside = RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA + 0x20_0000,
                Permissions.READ);

        assertThat(pager.page(inside.faults())).isEqualTo(ResponseCode.SUCCESS);
        assertThat(pager.page(outside.faults())).isEqualTo(ResponseCode.INVALID);
        assertThat(table.lookup(AREA + 0x2000)).isPresent();
    }

    @Test
    void pagesADeferredWriteAfterAReadLikeAnInlineOne() {
        assertThat(pager.page(RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA, Permissions.READ).faults()))
                .isEqualTo(ResponseCode.SUCCESS);
        assertThat(pager.page(RecordingFaultGroup.pageRequest(DEVICE, PASID, 7, AREA, Permissions.WRITE).faults()))
                .isEqualTo(ResponseCode.SUCCESS);
        assertThat(armDescriptor(AREA) & Descriptor.AP_RDONLY).isZero();
    }

    @Test
    void rejectsAnAreaThatIsNotWholePages() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new DemandPager(frames, ProcessPageTable.arm(table), AREA + 1, 0x1000));
    }

    /** A group of two page requests with the PASID: {@code first}, then the last one. */
    private static RecordingFaultGroup twoRequests(long first, Permissions firstPermissions, long last,
            Permissions lastPermissions) {
        PageRequest a = PageRequest.last(DEVICE, 3, first, firstPermissions).withPasid(PASID, true).withLastPage(false);
        PageRequest b = PageRequest.last(DEVICE, 3, last, lastPermissions).withPasid(PASID, true);
        return RecordingFaultGroup.of(new PageRequestGroup(List.of(a, b)));
    }

    private long armDescriptor(long va) {
        return frames.memory().read64(table.leafDescriptorAddress(va).orElseThrow());
    }

    private long x86Pte(FirstLevelPageTable x86, long va) {
        return frames.memory().read64(x86.entryAddress(va, PagingLevel.PT).orElseThrow());
    }
}
