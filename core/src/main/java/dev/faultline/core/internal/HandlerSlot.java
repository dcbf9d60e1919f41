package dev.faultline.core.internal;

/** The handler currently serving one domain (highest ranking, then lowest service id), or none. */
final class HandlerSlot {
    private volatile HandlerProxy current;

    HandlerProxy current() {
        return current;
    }

    void set(HandlerProxy handler) {
        current = handler;
    }
}
