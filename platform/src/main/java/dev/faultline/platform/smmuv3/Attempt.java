package dev.faultline.platform.smmuv3;

import org.jspecify.annotations.Nullable;

/**
 * What one pass of the translation pipeline decided for a transaction: a carrier the {@link TranslationEngine}
 * reuses for every translation (under the SMMU's lock), so that deciding allocates nothing. Valid until the engine's
 * next translation: the SMMU reads it before it completes the transaction (whose listeners may issue the next one).
 */
final class Attempt {

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

    private Kind kind = Kind.ABORT;
    private long output;
    private long @Nullable [] event;
    private boolean stall;
    private boolean record;
    private boolean abort;

    /** What happens to the transaction. */
    Kind kind() {
        return kind;
    }

    /** The physical address when {@link Kind#TRANSLATED}. */
    long output() {
        return output;
    }

    /** The record to write (dword 1 without Stall/STAG), or null for none. */
    long @Nullable [] event() {
        return event;
    }

    /** For {@link Kind#FAULT}: the fault may stall (CD.S / STE.S2S, per STALL_MODEL). */
    boolean stall() {
        return stall;
    }

    /** For {@link Kind#FAULT}: the fault is recorded when it does not stall (CD.R / STE.S2R). */
    boolean record() {
        return record;
    }

    /** For {@link Kind#FAULT}: termination aborts (CD.A; always at stage 2) rather than RAZ/WI. */
    boolean abort() {
        return abort;
    }

    Attempt translated(long address) {
        return set(Kind.TRANSLATED, address, null, false, false, false);
    }

    Attempt abort(long @Nullable [] record) {
        return set(Kind.ABORT, 0, record, false, false, true);
    }

    Attempt noTranslation() {
        return set(Kind.NO_TRANSLATION, 0, null, false, false, false);
    }

    Attempt fault(long[] record, boolean mayStall, boolean recorded, boolean aborts) {
        return set(Kind.FAULT, 0, record, mayStall, recorded, aborts);
    }

    private Attempt set(Kind k, long out, long @Nullable [] e, boolean s, boolean r, boolean a) {
        kind = k;
        output = out;
        event = e;
        stall = s;
        record = r;
        abort = a;
        return this;
    }
}
