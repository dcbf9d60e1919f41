package dev.faultline.core.internal.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.testkit.property.Gen;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PasidMapTest {
    /** PASIDs, with {@code Pasid.NONE} (-1) and the largest 20-bit PASID. */
    private static final Gen<Integer> PASIDS = Gens.integers(-1, 0xfffff);

    @Test
    void behavesLikeAMapFromPasidToValue() {
        Property.tries(1000).check(s -> {
            List<Integer> puts = s.draw("puts", PASIDS.list(0, 60));
            List<Integer> removes = s.draw("removes", PASIDS.list(0, 30));
            PasidMap<String> map = PasidMap.empty();
            Map<Integer, String> model = new HashMap<>();
            int version = 0;
            for (int p : puts) {
                String value = "v" + p + "." + version++;
                map = map.with(p, value);
                model.put(p, value);
            }
            for (int r : removes) {
                map = map.without(r);
                model.remove(r);
            }
            assertThat(map.size()).isEqualTo(model.size());
            assertThat(map.keys()).containsExactlyInAnyOrderElementsOf(model.keySet());
            for (int p : puts) {
                assertThat(map.get(p)).isEqualTo(model.get(p));
            }
            for (int r : removes) {
                assertThat(map.get(r)).isEqualTo(model.get(r));
            }
            assertThat(map.get(0x12345 + 0x100000)).isNull();
        });
    }

    @Test
    void keepsTheLatestValueOfAPasid() {
        Property.tries(1000).check(s -> {
            int pasid = s.draw("pasid", PASIDS);
            PasidMap<String> map = PasidMap.<String>empty().with(pasid, "a").with(pasid, "b");

            assertThat(map.get(pasid)).isEqualTo("b");
            assertThat(map.size()).isEqualTo(1);
        });
    }
}
