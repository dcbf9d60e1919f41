package dev.faultline.console.internal.jmx;

import dev.faultline.api.stats.FaultCounts;

/** The attributes of {@link CountsMXBean} from one fresh {@link FaultCounts} each. */
abstract class CountsBean implements CountsMXBean {
    private static final FaultCounts NONE = FaultCounts.builder().build();

    /** The counters now, or {@code null} when the subject is gone. */
    abstract FaultCounts counts();

    private FaultCounts read() {
        FaultCounts counts = counts();
        return counts == null ? NONE : counts;
    }

    @Override
    public long getReported() {
        return read().reported();
    }

    @Override
    public long getParked() {
        return read().parked();
    }

    @Override
    public long getDroppedPartials() {
        return read().droppedPartials();
    }

    @Override
    public long getDiscardedPartials() {
        return read().discardedPartials();
    }

    @Override
    public long getDispatched() {
        return read().dispatched();
    }

    @Override
    public long getDelivered() {
        return read().delivered();
    }

    @Override
    public long getNoHandler() {
        return read().noHandler();
    }

    @Override
    public long getRejected() {
        return read().rejected();
    }

    @Override
    public long getGroups() {
        return read().groups();
    }

    @Override
    public long getAnsweredSuccess() {
        return read().answeredSuccess();
    }

    @Override
    public long getAnsweredInvalid() {
        return read().answeredInvalid();
    }

    @Override
    public long getAnsweredFailure() {
        return read().answeredFailure();
    }

    @Override
    public long getPending() {
        return read().pending();
    }

    @Override
    public long getTimedOut() {
        return read().timedOut();
    }

    @Override
    public long getAbandoned() {
        return read().abandoned();
    }

    @Override
    public long getHandlerErrors() {
        return read().handlerErrors();
    }

    @Override
    public long getSlowCalls() {
        return read().slowCalls();
    }

    @Override
    public long getDuplicates() {
        return read().duplicates();
    }

    @Override
    public long getQueueFull() {
        return read().queueFull();
    }

    @Override
    public long getLostResponses() {
        return read().lostResponses();
    }

    @Override
    public long getAnsweredAtDetach() {
        return read().answeredAtDetach();
    }

    @Override
    public long getStaleAnswers() {
        return read().staleAnswers();
    }

    @Override
    public long getAnsweredAtRemoval() {
        return read().answeredAtRemoval();
    }

    @Override
    public long getAnsweredAtDeparture() {
        return read().answeredAtDeparture();
    }

    @Override
    public long getMixedPasid() {
        return read().mixedPasid();
    }

    @Override
    public boolean isBalanced() {
        return read().balanced();
    }
}
