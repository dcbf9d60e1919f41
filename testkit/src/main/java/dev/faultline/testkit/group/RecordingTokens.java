package dev.faultline.testkit.group;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link DeferredTokens} of {@link RecordingFaultGroup}s, as the core gives a handler: a token answers and reads
 * its own group, the answer is recorded on that group (a later one refused and counted as its duplicate), and reads
 * of a group already answered or handed back throw {@link IllegalStateException}, as the core's do. Groups that
 * should share one (a handler keeping the object from its first group on) are made with
 * {@link RecordingFaultGroup#usingTokens}; otherwise each group has its own. Thread-safe.
 *
 * @since 1.1
 */
public final class RecordingTokens implements DeferredTokens {
    private final List<RecordingFaultGroup> groups = new ArrayList<>();

    /** An empty set of tokens, to share between groups. */
    public RecordingTokens() {
    }

    /** The token of {@code group}, given to it at its first deferral. */
    synchronized long tokenOf(RecordingFaultGroup group) {
        int i = groups.indexOf(group);
        if (i < 0) {
            i = groups.size();
            groups.add(group);
        }
        return i;
    }

    private synchronized RecordingFaultGroup group(long token) {
        if (token < 0 || token >= groups.size()) {
            throw new IllegalArgumentException("no group was deferred with token " + token);
        }
        return groups.get((int) token);
    }

    private RecordingFaultGroup pending(long token) {
        RecordingFaultGroup g = group(token);
        if (g.answered() || g.handedBack()) {
            throw new IllegalStateException("the group of token " + token + " is answered or handed back");
        }
        return g;
    }

    @Override
    public boolean respond(long token, ResponseCode code) {
        Objects.requireNonNull(code, "response code");
        return group(token).respond(code);
    }

    @Override
    public boolean answered(long token) {
        RecordingFaultGroup g = group(token);
        return g.answered() || g.handedBack();
    }

    @Override
    public boolean handBack(long token) {
        return group(token).handBackDeferred();
    }

    @Override
    public int size(long token) {
        return pending(token).size();
    }

    @Override
    public long address(long token, int index) {
        return pending(token).address(index);
    }

    @Override
    public Permissions permissions(long token, int index) {
        return pending(token).permissions(index);
    }

    @Override
    public DeviceId device(long token) {
        return pending(token).device();
    }

    @Override
    public int groupId(long token) {
        return pending(token).groupId();
    }

    @Override
    public long deadlineNanos(long token) {
        return pending(token).deadlineNanos();
    }
}
