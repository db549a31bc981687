package io.alertrelay.sink.webhook;

import io.alertrelay.config.TreeConfigView;
import java.util.LinkedHashMap;
import java.util.Map;

/** Config views for {@code sinks.ops-hook}, as the host builds them from YAML. */
final class TestConfigs {
    private TestConfigs() {}

    static TreeConfigView root(Map<String, ?> section) {
        return TreeConfigView.root(Map.of("sinks", Map.of("ops-hook", section)));
    }

    static TreeConfigView view(TreeConfigView root) {
        return root.section("sinks").section("ops-hook");
    }

    static TreeConfigView view(Map<String, ?> section) {
        return view(root(section));
    }

    /** {@code key, value, key, value, ...} in order. */
    static Map<String, Object> section(Object... entries) {
        Map<String, Object> section = new LinkedHashMap<>();
        for (int i = 0; i < entries.length; i += 2) {
            section.put((String) entries[i], entries[i + 1]);
        }
        return section;
    }
}
