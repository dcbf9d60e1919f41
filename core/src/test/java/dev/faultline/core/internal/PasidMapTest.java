package dev.faultline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import java.util.List;

class PasidMapTest {

    @Property
    void behavesLikeAMapFromPasidToValue(
            @ForAll @Size(max = 60) List<@IntRange(min = -1, max = 0xfffff) Integer> puts,
            @ForAll @Size(max = 30) List<@IntRange(min = -1, max = 0xfffff) Integer> removes) {
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
    }

    @Property
    void keepsTheLatestValueOfAPasid(@ForAll @IntRange(min = -1, max = 0xfffff) int pasid) {
        PasidMap<String> map = PasidMap.<String>empty().with(pasid, "a").with(pasid, "b");

        assertThat(map.get(pasid)).isEqualTo("b");
        assertThat(map.size()).isEqualTo(1);
    }
}
