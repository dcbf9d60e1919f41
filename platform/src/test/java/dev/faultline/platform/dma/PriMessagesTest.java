package dev.faultline.platform.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.Pasid;
import org.junit.jupiter.api.Test;

class PriMessagesTest {

    @Test
    void prgResponseEncodingMatchesTv41() {
        // one group of two requests answered Success: device 03:00.0, PRG index 0x12.
        assertThat(PrgResponseMessage.of(0x300, 5, 0x12, PrgResponseCode.SUCCESS).encode()).isEqualTo(0x03000012);
        assertThat(PrgResponseMessage.of(0x300, 5, 0x12, PrgResponseCode.INVALID_REQUEST).encode())
                .isEqualTo(0x03001012);
        assertThat(PrgResponseMessage.of(0x300, 5, 0x12, PrgResponseCode.RESPONSE_FAILURE).encode())
                .isEqualTo(0x0300f012);
        PrgResponseMessage back = PrgResponseMessage.decode(0x0300f012, 5);
        assertThat(back.code()).isEqualTo(PrgResponseCode.RESPONSE_FAILURE);
        assertThat(back.destinationId()).isEqualTo(0x300);
        assertThat(back.prgIndex()).isEqualTo(0x12);
    }

    @Test
    void responseCodesMapToTheirKinds() {
        assertThat(PrgResponseCode.of(0)).isEqualTo(PrgResponseCode.SUCCESS);
        assertThat(PrgResponseCode.of(1)).isEqualTo(PrgResponseCode.INVALID_REQUEST);
        assertThat(PrgResponseCode.of(0xf)).isEqualTo(PrgResponseCode.RESPONSE_FAILURE);
        assertThat(PrgResponseCode.of(2)).isEqualTo(PrgResponseCode.RESERVED);
        assertThatThrownBy(() -> PrgResponseCode.of(16)).hasMessageContaining("4 bits");
        assertThatThrownBy(() -> PrgResponseMessage.of(1, Pasid.NONE, 1, PrgResponseCode.RESERVED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedMessagesAreRejected() {
        assertThatThrownBy(() -> new PageRequestMessage(0x1_0000, Pasid.NONE, false, false, true, false, true, 0, 0))
                .hasMessageContaining("16 bits");
        assertThatThrownBy(() -> new PageRequestMessage(1, Pasid.NONE, false, false, true, false, true, 0x200, 0))
                .hasMessageContaining("9 bits");
        assertThatThrownBy(() -> new PageRequestMessage(1, Pasid.NONE, false, false, true, false, true, 0, 0x10))
                .hasMessageContaining("aligned");
        assertThatThrownBy(() -> new DmaAccess(1, Pasid.NONE, 0xffc, AccessType.READ, false, 8, false))
                .hasMessageContaining("crosses");
        assertThatThrownBy(() -> new DmaAccess(1, 1 << 20, 0, AccessType.READ, false, 8, false))
                .hasMessageContaining("20-bit");
    }

    @Test
    void priStatusReportsStoppedOnlyWhenDisabledAndIdle() {
        PriCapability pri = new PriCapability(4, true);
        assertThat(pri.status()).isEqualTo(PriCapability.STATUS_STOPPED | PriCapability.STATUS_PASID);
        pri.enable();
        assertThat(pri.tryReserve(2)).isTrue();
        pri.writeControl(0);
        assertThat(pri.status() & PriCapability.STATUS_STOPPED).isZero();
        pri.release(2);
        assertThat(pri.status() & PriCapability.STATUS_STOPPED).isNotZero();
    }
}
