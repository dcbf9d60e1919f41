package dev.faultline.platform.dma;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A translation port that completes each access as scripted and answers page requests with scripted codes,
 * recording everything it saw.
 */
final class ScriptedPort implements TranslationPort {
    final List<DmaAccess> issued = new ArrayList<>();
    final List<PageRequestMessage> requests = new ArrayList<>();
    final Deque<Consumer<DmaTransaction>> outcomes = new ArrayDeque<>();
    final Deque<Integer> responseCodes = new ArrayDeque<>();
    final Map<Integer, PrgResponseReceiver> receivers = new HashMap<>();
    boolean silent;

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public DmaTransaction issue(DmaTransaction tx) {
        tx.admit();
        DmaAccess access = tx.access();
        issued.add(access);
        Consumer<DmaTransaction> next = outcomes.poll();
        if (next != null) {
            next.accept(tx);
        }
        return tx;
    }

    @Override
    public void pageRequest(PageRequestMessage message) {
        requests.add(message);
        if (message.last() && !message.isStopMarker() && !silent) {
            int code = responseCodes.isEmpty() ? 0 : responseCodes.poll();
            receivers.get(message.requesterId()).receive(
                    new PrgResponseMessage(message.requesterId(), message.pasid(), message.prgIndex(), code));
        }
    }

    @Override
    public void connect(int requesterId, PrgResponseReceiver receiver) {
        receivers.put(requesterId, receiver);
    }

    @Override
    public void disconnect(int requesterId) {
        receivers.remove(requesterId);
    }
}
