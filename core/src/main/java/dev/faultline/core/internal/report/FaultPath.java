package dev.faultline.core.internal.report;

import dev.faultline.core.internal.answer.InlineSlots;
import dev.faultline.core.internal.count.AnswerTimer;
import dev.faultline.core.internal.dispatch.GroupDispatcher;
import dev.faultline.core.internal.log.HostLog;

/**
 * The steps every device's reports go through after the device itself, shared by all devices: the report's stamp,
 * the reporting thread's group slot, the dispatch to the handler, the answer's timing, and the host log for the
 * reports that go wrong.
 *
 * @param clock stamps each report
 * @param slots the reporting threads' reused group slots
 * @param dispatcher hands a formed group to its handler and enforces the answer rules
 * @param timer times the answers of the groups a device samples
 * @param log the host log (rate-limited per device, never a guest's faults)
 */
public record FaultPath(ReportClock clock, InlineSlots slots, GroupDispatcher dispatcher, AnswerTimer timer,
        HostLog log) {
}
