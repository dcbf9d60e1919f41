package dev.faultline.platform.smmuv3;

import org.jspecify.annotations.Nullable;

/**
 * What one pass of the translation pipeline decided for a transaction.
 *
 * @param kind what happens to the transaction
 * @param output the physical address when {@link Kind#TRANSLATED}
 * @param event the record to write (dword 1 without Stall/STAG), or null for none
 * @param stall for {@link Kind#FAULT}: the fault may stall (CD.S / STE.S2S, per STALL_MODEL)
 * @param record for {@link Kind#FAULT}: the fault is recorded when it does not stall (CD.R / STE.S2R)
 * @param abort for {@link Kind#FAULT}: termination aborts (CD.A; always at stage 2) rather than RAZ/WI
 */
record Attempt(Kind kind, long output, long @Nullable [] event, boolean stall, boolean record, boolean abort) {

    /** The fate of the transaction. */
    enum Kind {
        /** Translated to {@link #output()}. */
        TRANSLATED,
        /** An ATS translation request that faulted: answered with no access, no record. */
        NO_TRANSLATION,
        /** Terminated with abort, recording {@link #event()} if not null (configuration errors, fetch aborts). */
        ABORT,
        /** A translation-related fault: stalls, or is recorded and terminated, per the flags. */
        FAULT
    }

    static Attempt translated(long output) {
        return new Attempt(Kind.TRANSLATED, output, null, false, false, false);
    }

    static Attempt abort(long @Nullable [] event) {
        return new Attempt(Kind.ABORT, 0, event, false, false, true);
    }

    static Attempt noTranslation() {
        return new Attempt(Kind.NO_TRANSLATION, 0, null, false, false, false);
    }

    static Attempt fault(long[] event, boolean stall, boolean record, boolean abort) {
        return new Attempt(Kind.FAULT, 0, event, stall, record, abort);
    }
}
