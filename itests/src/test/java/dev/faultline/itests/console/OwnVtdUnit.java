package dev.faultline.itests.console;

import dev.faultline.itests.Services;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.vtd.VtdIommu;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/** The console tests' own VT-d remapping unit (dmar3, PCI segment 3) driven by the VT-d backend bundle. */
final class OwnVtdUnit {
    static final String NAME = "dmar3";

    private OwnVtdUnit() {
    }

    /** Configures the unit and its backend (the same configuration every time), and returns the unit once driven. */
    static RemappingUnit deploy(BundleContext context, ConfigurationAdmin admin) throws Exception {
        Services.factory(admin, "dev.faultline.platform.vtd", "name", Map.of("name", NAME, "segment", 3));
        Services.factory(admin, "dev.faultline.vtd", "unit.target", Map.of("unit.target", "(iommu.name=" + NAME + ")"));
        RemappingUnit unit = Services.service(context, RemappingUnit.class, "(iommu.name=" + NAME + ")");
        iommu(context);
        return unit;
    }

    /** The backend's service for the unit. */
    static VtdIommu iommu(BundleContext context) {
        return Services.service(context, VtdIommu.class, "(" + VtdIommu.NAME_PROPERTY + "=" + NAME + ")");
    }
}
