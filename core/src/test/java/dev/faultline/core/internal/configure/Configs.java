package dev.faultline.core.internal.configure;

import java.lang.reflect.Proxy;
import java.util.Map;

/** {@link CoreConfig} values as Config Admin would give them: the given ones, else each attribute's default. */
public final class Configs {
    private Configs() {
    }

    /** A configuration with {@code values} (attribute method name to value) and defaults for the rest. */
    public static CoreConfig of(Map<String, Object> values) {
        return (CoreConfig) Proxy.newProxyInstance(CoreConfig.class.getClassLoader(), new Class<?>[] {CoreConfig.class},
                (proxy, method, args) -> method.getName().equals("annotationType") ? CoreConfig.class
                        : values.getOrDefault(method.getName(), method.getDefaultValue()));
    }
}
