package dev.faultline.api.fault;

import java.util.List;
import java.util.Objects;

/**
 * All page requests of one group, the last-page request last: Linux's {@code struct iopf_group} as a value.
 *
 * @param requests one or more requests of one device and group id; only the final one is a last-page request
 */
public record PageRequestGroup(List<PageRequest> requests) {

    /**
     * Validates the group.
     *
     * @throws IllegalArgumentException if the group is empty, mixes devices or group ids, does not end with
     *     its last-page request, or has a last-page request before the end
     */
    public PageRequestGroup {
        Objects.requireNonNull(requests, "requests");
        requests = List.copyOf(requests);
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("a page request group needs at least its last-page request");
        }
        PageRequest last = requests.get(requests.size() - 1);
        if (!last.lastPage()) {
            throw new IllegalArgumentException("a page request group must end with its last-page request");
        }
        for (int i = 0; i < requests.size() - 1; i++) {
            PageRequest r = requests.get(i);
            if (r.lastPage()) {
                throw new IllegalArgumentException("request " + i + " of " + requests.size()
                        + " is a last-page request; only the final one may be");
            }
            if (!r.device().equals(last.device())) {
                throw new IllegalArgumentException("request " + i + " is from " + r.device() + ", the group is "
                        + last.device() + "'s");
            }
            if (r.groupId() != last.groupId()) {
                throw new IllegalArgumentException("request " + i + " has group id " + r.groupId()
                        + ", the group's is " + last.groupId());
            }
        }
    }

    /** A group of one last-page request. */
    public static PageRequestGroup of(PageRequest last) {
        return new PageRequestGroup(List.of(last));
    }

    /** The last-page request, whose PASID and group id the response uses. */
    public PageRequest last() {
        return requests.get(requests.size() - 1);
    }

    /** The device. */
    public DeviceId device() {
        return last().device();
    }

    /** The group id. */
    public int groupId() {
        return last().groupId();
    }
}
