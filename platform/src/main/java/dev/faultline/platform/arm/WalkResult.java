package dev.faultline.platform.arm;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of one walk: a translation, or a fault with the level it happened at.
 *
 * @param fault the fault, or {@code null} when the walk translated
 * @param level the level of the faulting (or final) descriptor, 0 to 3; 0 for an input outside the range
 *     (the architecture reports that as a level-0 fault)
 * @param outputAddress the output address (IPA or PA) including the page offset, when translated; else 0
 * @param descriptor the final descriptor, or the descriptor that caused the fault (0 if none was read)
 * @param descriptorAddress the physical address that descriptor was read from (for an external abort: the
 *     fetch address); 0 if none
 * @param blockSize the size the final descriptor maps (4 KiB, 2 MiB, 1 GiB) when translated; else 0
 * @param descriptorWrite for {@link FaultKind#TABLE_ADDRESS}: whether the failing access was a descriptor
 *     update (TTRnW = 0) rather than a read
 */
public record WalkResult(@Nullable FaultKind fault, int level, long outputAddress, long descriptor, long descriptorAddress,
        long blockSize, boolean descriptorWrite) {

    /** A successful translation. */
    public static WalkResult translated(int level, long output, long descriptor, long descriptorAddress, long size) {
        return new WalkResult(null, level, output, descriptor, descriptorAddress, size, false);
    }

    /** A fault. */
    public static WalkResult fault(FaultKind kind, int level, long descriptor, long descriptorAddress) {
        return new WalkResult(kind, level, 0, descriptor, descriptorAddress, 0, false);
    }

    /** Whether the walk translated. */
    public boolean translated() {
        return fault == null;
    }
}
