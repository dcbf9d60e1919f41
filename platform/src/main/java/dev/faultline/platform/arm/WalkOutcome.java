package dev.faultline.platform.arm;

import org.jspecify.annotations.Nullable;

/**
 * A reusable carrier for the outcome of a walk: what {@link WalkResult} holds, written in place by
 * {@link TableWalker#walk(WalkParameters, long, dev.faultline.platform.dma.AccessType, boolean,
 * TableAddressTranslator, WalkOutcome)}, so that a model walking for every access allocates nothing. Valid until
 * the next walk into it; {@link #result()} gives the immutable value.
 *
 * <p>Not thread-safe: one carrier per walking thread (or per lock).
 *
 * @since 1.1
 */
public final class WalkOutcome {
    private @Nullable FaultKind fault;
    private int level;
    private long outputAddress;
    private long descriptor;
    private long descriptorAddress;
    private long blockSize;
    private boolean descriptorWrite;

    /** Whether the walk translated. */
    public boolean translated() {
        return fault == null;
    }

    /** The fault, or {@code null} when the walk translated ({@link WalkResult#fault()}). */
    public @Nullable FaultKind fault() {
        return fault;
    }

    /** The level of the faulting (or final) descriptor ({@link WalkResult#level()}). */
    public int level() {
        return level;
    }

    /** The output address including the page offset, when translated; else 0. */
    public long outputAddress() {
        return outputAddress;
    }

    /** The final descriptor, or the one that caused the fault (0 if none was read). */
    public long descriptor() {
        return descriptor;
    }

    /** The physical address that descriptor was read from (for an external abort: the fetch address); else 0. */
    public long descriptorAddress() {
        return descriptorAddress;
    }

    /** The size the final descriptor maps, when translated; else 0. */
    public long blockSize() {
        return blockSize;
    }

    /** For {@link FaultKind#TABLE_ADDRESS}: whether the failing access was a descriptor update. */
    public boolean descriptorWrite() {
        return descriptorWrite;
    }

    /** The outcome as an immutable value. */
    public WalkResult result() {
        return new WalkResult(fault, level, outputAddress, descriptor, descriptorAddress, blockSize, descriptorWrite);
    }

    boolean translated(int atLevel, long output, long finalDescriptor, long fromAddress, long size) {
        return set(null, atLevel, output, finalDescriptor, fromAddress, size, false);
    }

    boolean fault(FaultKind kind, int atLevel, long faultingDescriptor, long fromAddress) {
        return set(kind, atLevel, 0, faultingDescriptor, fromAddress, 0, false);
    }

    boolean set(@Nullable FaultKind kind, int atLevel, long output, long d, long fromAddress, long size, boolean write) {
        fault = kind;
        level = atLevel;
        outputAddress = output;
        descriptor = d;
        descriptorAddress = fromAddress;
        blockSize = size;
        descriptorWrite = write;
        return kind == null;
    }
}
