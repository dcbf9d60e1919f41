package dev.faultline.viommu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.vtd.PasidEntry;
import org.junit.jupiter.api.Test;

/** Guest contexts read from the descriptors a guest driver writes (encoded here with the platform's codecs). */
class Stage1ContextTest {
    private final PhysicalMemory host = new PhysicalMemory();
    private final GuestMemoryWindow guest = new GuestMemoryWindow(host, 0x8000_0000L, 16L << 20);

    private void write(long ipa, long[] words) {
        for (int i = 0; i < words.length; i++) {
            host.write64(guest.hostAddress(ipa + 8L * i), words[i]);
        }
    }

    @Test
    void readsTheFieldsThatDecideAWalkFromALinuxContextDescriptor() {
        write(0x4000, ContextDescriptor.linux(39, 2, 7, 0x20_0000, false).withAccessFlag(false, true, false).encode());
        ArmStage1Context context = ArmStage1Context.readCd(guest, 0x4000);
        assertThat(context).isEqualTo(new ArmStage1Context(0x20_0000, 25, 40, false, true, false));
        assertThat(context.ipsEncoding()).isEqualTo(2);
    }

    @Test
    void refusesADescriptorAnSmmuWouldCallBad() {
        write(0x4000, ContextDescriptor.linux(48, 5, 1, 0x20_0000, false).withValid(false, false).encode());
        assertThatThrownBy(() -> ArmStage1Context.readCd(guest, 0x4000)).hasMessageContaining("V = 0");
        assertThatThrownBy(() -> ArmStage1Context.readCd(guest, 16L << 20)).hasMessageContaining("outside guest RAM");
        write(0x5000, new long[] {(1L << 31) | (1L << 41) | 10, 0x20_0000});
        assertThatThrownBy(() -> ArmStage1Context.readCd(guest, 0x5000)).hasMessageContaining("T0SZ 10");
    }

    @Test
    void validatesTheConfigurationItself() {
        assertThatThrownBy(() -> new ArmStage1Context(0x1008, 16, 48, false, false, false))
                .hasMessageContaining("aligned to its 4096-byte top table");
        assertThatThrownBy(() -> new ArmStage1Context(0, 16, 47, false, false, false)).hasMessageContaining("47");
        assertThat(new ArmStage1Context(0x10, 24, 48, false, false, false).tableRoot()).as("2-entry table")
                .isEqualTo(0x10);
        assertThatThrownBy(() -> new FirstLevelContext(0x1000, false, false, false, 38)).hasMessageContaining("38");
        assertThatThrownBy(() -> new FirstLevelContext(1L << 48, false, false, false, 48))
                .hasMessageContaining("FLPTR");
    }

    @Test
    void readsAFirstLevelPasidEntryAsLinuxWritesIt() {
        write(0x3040, PasidEntry.firstLevel(0x81235000L, 5, true).words());
        assertThat(FirstLevelContext.readPasidEntry(guest, 0x3040, 48))
                .isEqualTo(new FirstLevelContext(0x81235000L, true, false, false, 48));
        write(0x3080, PasidEntry.passThrough(5).words());
        assertThatThrownBy(() -> FirstLevelContext.readPasidEntry(guest, 0x3080, 48)).hasMessageContaining("PGTT 4");
        assertThatThrownBy(() -> FirstLevelContext.readPasidEntry(guest, 0x30c0, 48))
                .hasMessageContaining("not present");
        assertThatThrownBy(() -> FirstLevelContext.readPasidEntry(guest, 0x3044, 48)).hasMessageContaining("unaligned");
    }

    @Test
    void aWindowMapsGuestAddressesOntoItsHostRangeOnly() {
        host.write64(0x8000_1000L, 42);
        assertThat(guest.read64(0x1000)).isEqualTo(42);
        assertThat(guest.contains((16L << 20) - 8)).isTrue();
        assertThat(guest.contains(16L << 20)).isFalse();
        assertThat(guest.contains(-8)).isFalse();
        assertThatThrownBy(() -> guest.read64(16L << 20)).hasMessageContaining("outside guest RAM");
        assertThatThrownBy(() -> new GuestMemoryWindow(host, 0x123, 0x1000)).hasMessageContaining("page-aligned");
    }
}
