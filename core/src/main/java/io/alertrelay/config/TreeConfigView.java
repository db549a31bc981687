package io.alertrelay.config;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ConfigView} over a parsed YAML/JSON tree of {@code Map}, {@code List} and scalar values, which records
 * which keys were read so that {@link #unusedKeys()} can report the rest (with a did-you-mean suggestion).
 *
 * <p>All views made from one root share the bookkeeping. Not thread-safe; config is read at start-up.
 */
public final class TreeConfigView implements ConfigView {
    private final String prefix;
    private final Map<String, Object> tree;
    private final Tracker tracker;

    private TreeConfigView(String prefix, Map<String, Object> tree, Tracker tracker) {
        this.prefix = prefix;
        this.tree = tree;
        this.tracker = tracker;
    }

    /** How the effective configuration shows a sensitive value. */
    public static final String MASK = "****";

    /** An empty section at {@code prefix}, for a key that should have been a section but was not (already reported). */
    static TreeConfigView empty(String prefix) {
        return new TreeConfigView(prefix, Map.of(), new Tracker());
    }

    /** A root view over {@code tree}. */
    public static TreeConfigView root(Map<String, ?> tree) {
        return new TreeConfigView("", copy(tree), new Tracker());
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public Set<String> keys() {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(tree.keySet()));
    }

    public boolean has(String key) {
        tracker.requested(prefix, key);
        return tree.containsKey(key) && tree.get(key) != null;
    }

    /** Whether {@code key} holds a section (a map), without reading or marking it. */
    public boolean isSection(String key) {
        return tree.get(key) instanceof Map;
    }

    @Override
    public Optional<String> get(String key) {
        tracker.requested(prefix, key);
        Object value = tree.get(key);
        if (value == null) {
            tracker.used(fullKey(key));
            return Optional.empty();
        }
        if (value instanceof Map || value instanceof List) {
            tracker.usedSubtree(fullKey(key)); // reported here; not again as unused keys
            throw new ConfigurationException(fullKey(key) + ": must be a single value, not a "
                    + (value instanceof Map ? "section" : "list"));
        }
        tracker.used(fullKey(key));
        return Optional.of(String.valueOf(value));
    }

    @Override
    public Optional<List<String>> getList(String key) {
        tracker.requested(prefix, key);
        Object value = tree.get(key);
        tracker.used(fullKey(key));
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map) {
            tracker.usedSubtree(fullKey(key));
            throw new ConfigurationException(fullKey(key) + ": must be a list of values, not a section");
        }
        if (!(value instanceof List<?> list)) {
            return Optional.of(List.of(String.valueOf(value)));
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object element = list.get(i);
            if (element instanceof Map || element instanceof List || element == null) {
                throw new ConfigurationException(fullKey(key) + "[" + i + "]: must be a single value");
            }
            values.add(String.valueOf(element));
        }
        return Optional.of(List.copyOf(values));
    }

    @Override
    public TreeConfigView section(String key) {
        tracker.requested(prefix, key);
        Object value = tree.get(key);
        if (value == null) {
            tracker.used(fullKey(key));
            return new TreeConfigView(fullKey(key), Map.of(), tracker);
        }
        if (!(value instanceof Map<?, ?> map)) {
            tracker.usedSubtree(fullKey(key));
            throw new ConfigurationException(fullKey(key) + ": must be a section (key: value pairs)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> child = (Map<String, Object>) map;
        if (child.isEmpty()) {
            tracker.used(fullKey(key));
        }
        return new TreeConfigView(fullKey(key), child, tracker);
    }

    /** A list of sections ({@code subscriptions: [{pattern: ...}, ...]}); prefixes are {@code key[i]}. */
    public List<TreeConfigView> sectionList(String key) {
        tracker.requested(prefix, key);
        Object value = tree.get(key);
        tracker.used(fullKey(key));
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            tracker.usedSubtree(fullKey(key));
            throw new ConfigurationException(fullKey(key) + ": must be a list");
        }
        List<TreeConfigView> sections = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String elementKey = fullKey(key) + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw new ConfigurationException(elementKey + ": must be a section (key: value pairs)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> child = (Map<String, Object>) map;
            tracker.used(elementKey);
            sections.add(new TreeConfigView(elementKey, child, tracker));
        }
        return sections;
    }

    /**
     * Records how the effective-configuration log shows {@code key} (its value, its default, or {@link #MASK}); the
     * {@link ConfigBinder} calls it for every key it reads.
     */
    public void recordEffective(String key, String shown) {
        tracker.effective.put(fullKey(key), shown);
    }

    /**
     * Every key read through a {@link ConfigBinder} from any view of this root, in reading order, with its value or
     * {@code "<default> (default)"}; sensitive values are {@link #MASK}.
     */
    public Map<String, String> effectiveConfig() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tracker.effective));
    }

    /** Marks the whole section under {@code key} as used (it is read elsewhere, wholesale). */
    public void markUsed(String key) {
        tracker.requested(prefix, key);
        tracker.usedSubtree(fullKey(key));
    }

    /**
     * Every key present in the tree that nobody read, as {@code "<full.key>: not used (did you mean <key>?)"}. Call
     * after all modules have read their sections.
     */
    public List<String> unusedKeys() {
        List<String> problems = new ArrayList<>();
        collectUnused(prefix, tree, problems);
        return problems;
    }

    private void collectUnused(String at, Map<String, Object> node, List<String> problems) {
        for (Map.Entry<String, Object> entry : node.entrySet()) {
            String key = at.isEmpty() ? entry.getKey() : at + "." + entry.getKey();
            if (tracker.isUsedSubtree(key)) {
                continue;
            }
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> map && !map.isEmpty()) {
                if (!tracker.wasRequested(at, entry.getKey())) {
                    problems.add(unused(at, entry.getKey(), key));
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> child = (Map<String, Object>) map;
                collectUnused(key, child, problems);
            } else if (value instanceof List<?> list && tracker.isUsed(key)) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof Map<?, ?> map) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> child = (Map<String, Object>) map;
                        collectUnused(key + "[" + i + "]", child, problems);
                    }
                }
            } else if (!tracker.isUsed(key)) {
                problems.add(unused(at, entry.getKey(), key));
            }
        }
    }

    private String unused(String parent, String localKey, String fullKey) {
        Optional<String> suggestion = DidYouMean.closest(localKey, tracker.requestedIn(parent));
        return fullKey + ": not used" + suggestion
                .map(s -> " (did you mean " + (parent.isEmpty() ? s : parent + "." + s) + "?)")
                .orElse(" (unknown key)");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, ?> tree) {
        Map<String, Object> result = new LinkedHashMap<>();
        tree.forEach((key, value) -> {
            if (value instanceof Map<?, ?> map) {
                result.put(key, copy((Map<String, ?>) map));
            } else if (value instanceof List<?> list) {
                List<Object> elements = new ArrayList<>();
                for (Object element : list) {
                    elements.add(element instanceof Map<?, ?> map ? copy((Map<String, ?>) map) : element);
                }
                result.put(key, elements);
            } else {
                result.put(key, value);
            }
        });
        return result;
    }

    private static final class Tracker {
        private final Set<String> used = new LinkedHashSet<>();
        private final Set<String> usedSubtrees = new LinkedHashSet<>();
        private final Map<String, Set<String>> requested = new ConcurrentHashMap<>();
        private final Map<String, String> effective = new LinkedHashMap<>();

        void used(String fullKey) {
            used.add(fullKey);
        }

        void usedSubtree(String fullKey) {
            usedSubtrees.add(fullKey);
            used.add(fullKey);
        }

        boolean isUsed(String fullKey) {
            return used.contains(fullKey);
        }

        boolean isUsedSubtree(String fullKey) {
            for (String subtree : usedSubtrees) {
                if (fullKey.equals(subtree) || fullKey.startsWith(subtree + ".") || fullKey.startsWith(subtree + "[")) {
                    return true;
                }
            }
            return false;
        }

        void requested(String prefix, String key) {
            requested.computeIfAbsent(prefix, ignored -> new LinkedHashSet<>()).add(key);
        }

        boolean wasRequested(String prefix, String key) {
            return requested.getOrDefault(prefix, Set.of()).contains(key);
        }

        Collection<String> requestedIn(String prefix) {
            return requested.getOrDefault(prefix, Set.of());
        }
    }

    /** Suggests the closest known key (Levenshtein distance at most a third of the longer key, minimum 1). */
    static final class DidYouMean {
        private DidYouMean() {}

        static Optional<String> closest(String key, Collection<String> candidates) {
            return candidates.stream()
                    .filter(candidate -> !candidate.equals(key))
                    .map(candidate -> Map.entry(candidate, distance(key, candidate)))
                    .filter(entry -> entry.getValue() <= Math.max(1, Math.max(key.length(), entry.getKey().length()) / 3))
                    .min(Comparator.comparingInt(Map.Entry<String, Integer>::getValue))
                    .map(Map.Entry::getKey);
        }

        static int distance(String a, String b) {
            int[] previous = new int[b.length() + 1];
            int[] current = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                previous[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                current[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                }
                int[] swap = previous;
                previous = current;
                current = swap;
            }
            return previous[b.length()];
        }
    }
}
