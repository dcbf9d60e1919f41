package dev.faultline.soak.simulation;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import java.util.function.LongConsumer;

/**
 * The simulation's handler of one domain: does with each group what its page address says ({@link SimAct}), and
 * checks every answer it gives against what the device hears: an answer the core accepts must reach the device
 * once, with its code, at once; one it refuses must not reach it (at most the core's own INVALID, when the group's
 * owner changed during the call). It maps the page before answering SUCCESS, so a stalled write completes.
 */
final class SimHandler implements FaultHandler {
    final String domain;
    private final SimMachine machine;
    private final Scheduler scheduler;
    private final Scheduler.Actor worker;
    private final LongConsumer pageIn;
    private final long timeoutNanos;
    private int stormLeft;

    /**
     * @param worker the thread of the handler's own that answers deferred groups
     * @param pageIn maps the page of an address, or null when there is nothing to map (page requests)
     */
    SimHandler(String domain, SimMachine machine, Scheduler.Actor worker, LongConsumer pageIn, long timeoutNanos) {
        this.domain = domain;
        this.machine = machine;
        this.scheduler = machine.scheduler;
        this.worker = worker;
        this.pageIn = pageIn;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handle(FaultGroup group) {
        DeviceId device = group.device();
        if (!group.recoverable()) {
            scheduler.trace(domain + " delivered an unrecoverable fault of " + device);
            return;
        }
        long address = group.address(group.size() - 1);
        SimAct act = SimAct.of(address);
        scheduler.trace(domain + " handles group 0x" + Integer.toHexString(group.groupId()) + " of " + device
                + " (" + group.size() + " page(s)): " + (stormLeft > 0 ? "STORM" : act));
        if (stormLeft > 0) {
            stormLeft--;
            throw new IllegalStateException(domain + ": throw storm");
        }
        switch (act) {
            case SUCCESS -> {
                pageIn(address);
                answer(device, group::respond, ResponseCode.SUCCESS);
            }
            case INVALID -> answer(device, group::respond, ResponseCode.INVALID);
            case FAILURE -> answer(device, group::respond, ResponseCode.FAILURE);
            case THROW -> throw new IllegalStateException(domain + ": injected handler failure");
            case ABANDON -> {
                // neither answers nor defers: the core answers INVALID
            }
            case ANSWER_TWICE -> {
                pageIn(address);
                answer(device, group::respond, ResponseCode.SUCCESS);
                if (answer(device, group::respond, ResponseCode.INVALID)) {
                    machine.violations.add(domain + ": a second answer to group 0x"
                            + Integer.toHexString(group.groupId()) + " of " + device + " was accepted");
                }
            }
            case DEFER -> {
                pageIn(address);
                DeferredGroup deferred = group.defer();
                scheduler.after(scheduler.delay(0, timeoutNanos * 3 / 2), worker, domain + " answers deferred group 0x"
                        + Integer.toHexString(deferred.groupId()) + " of " + device,
                        () -> answer(device, deferred::respond, ResponseCode.SUCCESS));
            }
            case HANG -> group.defer(); // and never answered: the core answers at the deadline
            case BLOCK -> {
                scheduler.block(scheduler.delay(0, timeoutNanos * 3));
                pageIn(address);
                answer(device, group::respond, ResponseCode.SUCCESS);
            }
        }
    }

    /** An answer function: a group's or a deferred group's {@code respond}. */
    @FunctionalInterface
    private interface Respond {
        boolean respond(ResponseCode code);
    }

    /** Answers through {@code respond} and checks what the device heard; returns whether the core accepted it. */
    private boolean answer(DeviceId device, Respond respond, ResponseCode code) {
        long before = machine.heard(device);
        boolean accepted = respond.respond(code);
        long heard = machine.heard(device) - before;
        scheduler.trace(domain + " answers " + code + " for " + device + ": " + (accepted ? "accepted" : "refused"));
        if (accepted && (heard > 1 || heard == 1 && !machine.lastHeardIs(device, code)
                || heard == 0 && !machine.isStalling(device))) {
            machine.violations.add(domain + ": its " + code + " for " + device + " was accepted, but the device heard "
                    + heard + " answer(s)" + (heard == 1 ? " of another code" : ""));
        } else if (!accepted && heard != 0 && (heard != 1 || !machine.lastHeardIs(device, ResponseCode.INVALID))) {
            machine.violations.add(domain + ": its " + code + " for " + device + " was refused, but the device heard "
                    + heard + " answer(s) meanwhile");
        }
        return accepted;
    }

    private void pageIn(long address) {
        if (pageIn != null) {
            pageIn.accept(address & ~0xfffL);
        }
    }

    /** Makes the next {@code n} calls throw (0 ends a storm). */
    void storm(int n) {
        stormLeft = n;
    }
}
