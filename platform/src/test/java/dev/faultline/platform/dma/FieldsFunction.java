package dev.faultline.platform.dma;

import java.util.ArrayList;
import java.util.List;

/**
 * A PRI function that takes its PRG responses as fields ({@link PrgResponseReceiver#receive(int, int, int, int)}),
 * keeping each as the record those fields make, and counts any response that reaches it as a record instead.
 */
public final class FieldsFunction implements PrgResponseReceiver {
    /** The responses received as fields, in order. */
    public final List<PrgResponseMessage> fields = new ArrayList<>();
    /** How many responses arrived as records. */
    public int records;

    @Override
    public void receive(PrgResponseMessage response) {
        records++;
    }

    @Override
    public void receive(int destinationId, int pasid, int prgIndex, int responseCode) {
        fields.add(new PrgResponseMessage(destinationId, pasid, prgIndex, responseCode));
    }
}
