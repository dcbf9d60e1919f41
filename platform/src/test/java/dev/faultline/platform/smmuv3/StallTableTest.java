package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stall table against a map: every stall found, removed and terminated exactly once, through any collisions. */
class StallTableTest {

    @Test
    void behavesAsAMapThroughRandomStallsResumesAndStreamTerminations() {
        Random random = new Random(42);
        StallTable table = new StallTable(64);
        Map<Long, DmaTransaction> reference = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            int sid = random.nextInt(6);
            int stag = random.nextInt(40);
            long key = StallTable.key(sid, stag);
            int op = random.nextInt(10);
            if (op < 5 && reference.size() < 64 && !reference.containsKey(key)) {
                DmaTransaction tx = new DmaTransaction(DmaAccess.of(sid, 0, AccessType.READ, 1));
                table.put(key, tx);
                reference.put(key, tx);
            } else if (op < 9) {
                assertThat(table.remove(key)).isSameAs(reference.remove(key));
            } else {
                List<DmaTransaction> removed = new ArrayList<>();
                table.removeStream(sid, removed::add);
                List<DmaTransaction> expected = new ArrayList<>();
                reference.entrySet().removeIf(e -> {
                    if ((int) (e.getKey() >>> 16) == sid) {
                        expected.add(e.getValue());
                        return true;
                    }
                    return false;
                });
                assertThat(removed).containsExactlyInAnyOrderElementsOf(expected);
            }
            assertThat(table.size()).isEqualTo(reference.size());
            assertThat(table.contains(key)).isEqualTo(reference.containsKey(key));
        }
        for (Map.Entry<Long, DmaTransaction> e : reference.entrySet()) {
            assertThat(table.remove(e.getKey())).isSameAs(e.getValue());
        }
        assertThat(table.size()).isZero();
    }
}
