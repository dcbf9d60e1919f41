package dev.faultline.shell.internal.shell;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The packages other bundles import from a bundle's running revision, taken before an update, and whether the
 * updated bundle keeps them: its new revision imports each of them from that same revision (a substitutable
 * export, as bnd makes every exported package, whose version the new content still accepts). Then the importers'
 * classes stay valid and no refresh is needed; the old revision stays in memory as the packages' provider.
 * Otherwise only a refresh, which restarts the importers, makes the wiring consistent again.
 */
final class PackageUsers {
    private final BundleRevision revision;
    /** The packages used by others, or {@code null} when another kind of wire needs a refresh anyway. */
    private final Set<String> packages;

    private PackageUsers(BundleRevision revision, Set<String> packages) {
        this.revision = revision;
        this.packages = packages;
    }

    /** The packages other bundles import from {@code bundle}'s current revision. */
    static PackageUsers of(Bundle bundle) {
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        if (wiring == null) {
            return new PackageUsers(null, Set.of());
        }
        Set<String> used = new HashSet<>();
        for (BundleWire wire : wiring.getProvidedWires(null)) {
            if (wire.getRequirer().getBundle().equals(bundle)) {
                continue;
            }
            if (!PackageNamespace.PACKAGE_NAMESPACE.equals(wire.getCapability().getNamespace())) {
                // a fragment attached, or a bundle requiring this one: only a refresh rewires them
                return new PackageUsers(wiring.getRevision(), null);
            }
            used.add(packageName(wire));
        }
        return new PackageUsers(wiring.getRevision(), used);
    }

    /**
     * Resolves the updated {@code bundle} and says whether its new revision imports every used package from the
     * revision that provided it before the update.
     */
    boolean keptBy(Bundle bundle, FrameworkWiring frameworkWiring) {
        if (packages == null) {
            return false;
        }
        if (packages.isEmpty()) {
            return true;
        }
        if (!frameworkWiring.resolveBundles(List.of(bundle))) {
            return false;
        }
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        if (wiring == null || wiring.getRevision().equals(revision)) {
            return false;
        }
        Set<String> kept = new HashSet<>();
        for (BundleWire wire : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (wire.getProvider().equals(revision)) {
                kept.add(packageName(wire));
            }
        }
        return kept.containsAll(packages);
    }

    private static String packageName(BundleWire wire) {
        return (String) wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE);
    }
}
