package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.smmuv3.Command;

/**
 * Answers to stalls and page requests as commands (Linux {@code arm_smmu_page_response} and
 * {@code arm_smmu_handle_ppr}): the core's answers, and the ones the driver gives itself to records no device owns.
 * Given on the fault thread while it handles a drained batch, they share that batch's one CMD_SYNC; from any other
 * thread each has its own ({@link CommandQueue#issueResponse}). Allocates nothing.
 */
final class PageResponses {
    private final CommandQueue commands;

    PageResponses(CommandQueue commands) {
        this.commands = commands;
    }

    /**
     * The core's answer for a group of {@code stream}: CMD_RESUME for a stalling stream (SUCCESS retries, INVALID
     * and FAILURE abort), CMD_PRI_RESP for a PRI one (PCIe Success, Invalid Request, Response Failure).
     *
     * @return {@code false} if the stream neither stalls nor uses PRI (nothing was sent)
     */
    boolean send(Stream stream, PageResponse response) {
        ResponseCode code = response.code();
        if (stream.mode == FaultMode.STALL) {
            boolean retry = code == ResponseCode.SUCCESS;
            commands.issueResponse(Command.Resume.dw0(stream.sid, retry, !retry),
                    Command.Resume.dw1(response.groupId()));
            return true;
        }
        if (stream.mode == FaultMode.PRI) {
            int resp = switch (code) {
                case SUCCESS -> Command.PriResponse.SUCCESS;
                case INVALID -> Command.PriResponse.FAIL; // PCIe Invalid Request
                case FAILURE -> Command.PriResponse.DENY; // PCIe Response Failure
            };
            boolean ssv = response.needsPasid();
            commands.issueResponse(Command.PriResponse.dw0(stream.sid, ssv, ssv ? response.pasid() : 0),
                    Command.PriResponse.dw1(response.groupId(), resp));
            return true;
        }
        return false;
    }

    /** Terminates a stall the driver answers itself (CMD_RESUME with Abort). */
    void abortStall(int sid, int stag) {
        commands.issueResponse(Command.Resume.dw0(sid, false, true), Command.Resume.dw1(stag));
    }

    /** Denies a last page request the driver answers itself (CMD_PRI_RESP Response Failure, as Linux). */
    void denyPageRequest(int sid, boolean ssv, int ssid, int prgIndex) {
        commands.issueResponse(Command.PriResponse.dw0(sid, ssv, ssv ? ssid : 0),
                Command.PriResponse.dw1(prgIndex, Command.PriResponse.DENY));
    }

    /** Terminates whatever stall of a removed stream is left (CMD_STALL_TERM, IHI 0070 §4.7.2). */
    void terminateStalls(int sid) {
        Command.StallTerm term = new Command.StallTerm(sid);
        commands.issueAndSync(term.dw0(), term.dw1());
    }
}
