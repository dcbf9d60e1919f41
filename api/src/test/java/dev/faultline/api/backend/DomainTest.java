package dev.faultline.api.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DomainTest {
    @Test
    void nestedDomainsNeedTheirGuestAndOthersMustNotHaveOne() {
        assertThat(Domain.nested("vm1-s1", "vm1").guestOwned()).isTrue();
        assertThat(Domain.dma("dma0").guestOwned()).isFalse();
        assertThatThrownBy(() -> new Domain("x", DomainType.NESTED, "")).hasMessageContaining("needs the guest");
        assertThatThrownBy(() -> new Domain("x", DomainType.SVA, "vm1")).hasMessageContaining("only a nested");
        assertThatThrownBy(() -> Domain.dma(" ")).hasMessageContaining("blank");
    }
}
