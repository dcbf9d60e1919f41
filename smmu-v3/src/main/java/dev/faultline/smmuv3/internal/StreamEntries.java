package dev.faultline.smmuv3.internal;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.Stage2Tables;

/**
 * Composes a stream's STE and CDs from what is attached to it, as Linux's STE and CD builders do
 * ({@code arm_smmu_make_cdtable_ste}, {@code arm_smmu_make_s2_domain_ste}, {@code arm_smmu_make_nested_cd_table_ste},
 * {@code arm_smmu_make_s1_cd}), and writes them through the stream table and the stream's CD table, which make each
 * change visible (CMD_CFGI_STE / CMD_CFGI_CD, CMD_SYNC). Called under the configuration lock of {@link Streams}.
 */
final class StreamEntries {
    private final StreamTable streamTable;
    private final ProbedFeatures features;

    StreamEntries(StreamTable streamTable, ProbedFeatures features) {
        this.streamTable = streamTable;
        this.features = features;
    }

    /** Composes and writes a stream's STE from what is attached (IHI 0070 §5.2, Linux's STE builders). */
    void writeSte(Stream s) {
        writeSte(s, s.stalls(), s.stalls());
    }

    /**
     * Writes a stream's STE with stage-1 stalls allowed or not ({@code s1Stall}: S1STALLD clear, when the SMMU
     * lets software choose) and stage-2 faults stalling or not ({@code s2Stall}: S2S).
     */
    void writeSte(Stream s, boolean s1Stall, boolean stall) {
        boolean s1Stalld = features.stallModel() == 0 && !s1Stall;
        int eats = s.mode == FaultMode.PRI ? StreamTableEntry.EATS_TRANS : 0;
        StreamTableEntry.Builder b = StreamTableEntry.builder();
        Stream.Nested nested = s.nested();
        if (nested != null) {
            GuestStage1 g = nested.guest();
            b.config(true, StreamTableEntry.CFG_NESTED).contextTable(g.contextTable(), g.s1Fmt(), g.s1CdMax())
                    .stage1Controls(g.s1Dss(), s1Stalld, eats).flags(s.mode == FaultMode.PRI, true);
            stage2(b, nested.tables(), nested.vmid(), stall);
        } else if (!s.stage1.isEmpty()) {
            ContextTable ct = s.contexts;
            b.config(true, s.stage2 != null ? StreamTableEntry.CFG_NESTED : StreamTableEntry.CFG_S1_TRANS)
                    .contextTable(ct.base(), ct.format(), ct.cdMax())
                    .stage1Controls(ct.cdMax() > 0 ? StreamTableEntry.S1DSS_SSID0 : 0, s1Stalld, eats)
                    .flags(s.mode == FaultMode.PRI, false);
            if (s.stage2 != null) {
                stage2(b, s.stage2.tables(), s.stage2.vmid(), stall);
            }
        } else if (s.stage2 != null) {
            b.config(true, StreamTableEntry.CFG_S2_TRANS).stage1Controls(0, false, eats)
                    .flags(s.mode == FaultMode.PRI, false);
            stage2(b, s.stage2.tables(), s.stage2.vmid(), stall);
        } else {
            b.config(true, StreamTableEntry.CFG_ABORT); // nothing attached: DMA is blocked, silently
        }
        streamTable.write(s.sid, b.build());
    }

    private void stage2(StreamTableEntry.Builder b, Stage2Tables t, int vmid, boolean stall) {
        b.stage2(vmid, 64 - t.inputBits(), 2 - t.startLevel(), features.oas(), t.root(), stall);
    }

    /** Writes the CD of a stage-1 attachment (Linux {@code arm_smmu_make_s1_cd}); CD.S as the stream stalls now. */
    void writeCd(Stream s, int pasid, Stream.Stage1 a) {
        s.contexts.write(pasid == Pasid.NONE ? 0 : pasid, ContextDescriptor.linux(a.tables().inputBits(),
                features.oas(), a.asid(), a.tables().ttb0(), s.stalls()));
    }

    void writeCds(Stream s) {
        s.stage1.forEach((pasid, a) -> writeCd(s, pasid, a));
    }
}
