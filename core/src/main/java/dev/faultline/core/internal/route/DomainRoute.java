package dev.faultline.core.internal.route;

import dev.faultline.core.internal.dispatch.Handler;

/** The handler currently serving one domain (highest ranking, then lowest service id), or none. */
public final class DomainRoute {
    private volatile Handler current;

    public Handler current() {
        return current;
    }

    void set(Handler handler) {
        current = handler;
    }
}
