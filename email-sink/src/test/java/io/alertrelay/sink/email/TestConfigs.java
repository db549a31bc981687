package io.alertrelay.sink.email;

import io.alertrelay.config.TreeConfigView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Config views for {@code sinks.ops-mail}, as the host builds them from YAML. */
final class TestConfigs {
    private TestConfigs() {}

    static TreeConfigView root(Map<String, ?> section) {
        return TreeConfigView.root(Map.of("sinks", Map.of("ops-mail", section)));
    }

    static TreeConfigView view(TreeConfigView root) {
        return root.section("sinks").section("ops-mail");
    }

    static TreeConfigView view(Map<String, ?> section) {
        return view(root(section));
    }

    /** The smallest valid section, plus {@code more} (which may override). */
    static Map<String, Object> minimal(Object... more) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("host", "smtp.example.com");
        section.put("from", "alerts@example.com");
        section.put("to", List.of("ops@example.com"));
        for (int i = 0; i < more.length; i += 2) {
            section.put((String) more[i], more[i + 1]);
        }
        return section;
    }

    /** A section for a plain-text test server on 127.0.0.1:{@code port}. */
    static Map<String, Object> local(int port, Object... more) {
        Map<String, Object> section = minimal("host", "127.0.0.1", "port", port, "tls", "none", "timeout", "5s");
        for (int i = 0; i < more.length; i += 2) {
            section.put((String) more[i], more[i + 1]);
        }
        return section;
    }
}
