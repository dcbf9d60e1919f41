package dev.faultline.api.fault;

import java.util.EnumSet;
import java.util.Set;

/**
 * An immutable set of {@link Permission}s, interned: {@link #of(int)} never allocates, so backends and the
 * core can pass permissions on the fault path for free. Compare with {@code ==} or {@link #equals}.
 */
public final class Permissions {
    /** All valid permission bits ({@code READ|WRITE|EXEC|PRIV}). */
    public static final int MASK = 0xF;

    private static final Permissions[] INTERNED = new Permissions[MASK + 1];

    static {
        for (int bits = 0; bits <= MASK; bits++) {
            INTERNED[bits] = new Permissions(bits);
        }
    }

    /** No permission (for example an unrecoverable fault whose direction is unknown). */
    public static final Permissions NONE = INTERNED[0];
    /** A user read. */
    public static final Permissions READ = INTERNED[Permission.READ.bit()];
    /** A user write. */
    public static final Permissions WRITE = INTERNED[Permission.WRITE.bit()];
    /** A user read and write. */
    public static final Permissions READ_WRITE = INTERNED[Permission.READ.bit() | Permission.WRITE.bit()];

    private final int bits;

    private Permissions(int bits) {
        this.bits = bits;
    }

    /**
     * The interned set for Linux permission bits.
     *
     * @throws IllegalArgumentException if a bit outside {@link #MASK} is set
     */
    public static Permissions of(int bits) {
        if ((bits & ~MASK) != 0) {
            throw new IllegalArgumentException(
                    "permission bits 0x" + Integer.toHexString(bits) + " outside READ|WRITE|EXEC|PRIV (0xf)");
        }
        return INTERNED[bits];
    }

    /** The interned set holding exactly {@code permissions}. */
    public static Permissions of(Permission... permissions) {
        int bits = 0;
        for (Permission p : permissions) {
            bits |= p.bit();
        }
        return INTERNED[bits];
    }

    /** The Linux bit mask. */
    public int bits() {
        return bits;
    }

    /** Whether {@code permission} is in this set. */
    public boolean contains(Permission permission) {
        return (bits & permission.bit()) != 0;
    }

    /** Whether every permission of {@code other} is in this set. */
    public boolean containsAll(Permissions other) {
        return (bits & other.bits) == other.bits;
    }

    public boolean read() {
        return contains(Permission.READ);
    }

    public boolean write() {
        return contains(Permission.WRITE);
    }

    public boolean exec() {
        return contains(Permission.EXEC);
    }

    public boolean priv() {
        return contains(Permission.PRIV);
    }

    /** This set with {@code permission} added. */
    public Permissions with(Permission permission) {
        return INTERNED[bits | permission.bit()];
    }

    /** A new mutable {@link EnumSet} copy (allocates). */
    public Set<Permission> toSet() {
        EnumSet<Permission> set = EnumSet.noneOf(Permission.class);
        for (Permission p : Permission.values()) {
            if (contains(p)) {
                set.add(p);
            }
        }
        return set;
    }

    /** {@code r}, {@code w}, {@code x}, {@code p} or {@code -} per position, e.g. {@code rw--}. */
    @Override
    public String toString() {
        return new String(new char[] {
            read() ? 'r' : '-', write() ? 'w' : '-', exec() ? 'x' : '-', priv() ? 'p' : '-'
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permissions other && other.bits == bits;
    }

    @Override
    public int hashCode() {
        return bits;
    }
}
