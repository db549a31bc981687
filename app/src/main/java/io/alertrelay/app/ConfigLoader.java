package io.alertrelay.app;

import io.alertrelay.config.EnvSubstitution;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads the YAML config file (or the built-in local default) and substitutes {@code ${ENV}} references.
 *
 * <p>Limits, each reported as such before any parsing work grows with them: the file is at most
 * {@value #MAX_FILE_BYTES} bytes (1 MiB); anchors and aliases work as YAML defines them ({@code c1: *defaults}, and
 * {@code <<: *defaults} merges), but at most {@value #MAX_ALIASES} aliases of collections and at most
 * {@value #MAX_VALUES} values once aliases are expanded (a "billion laughs" file is refused, not expanded); nesting at
 * most {@value #MAX_DEPTH} levels; a key may not appear twice in one section.
 *
 * <p>Every scalar is read as the text written ({@code 0755}, {@code yes}, {@code 2024-01-01} stay strings; the key's
 * parser decides what they mean), except an empty value or {@code null}/{@code ~}, which is absent.
 */
final class ConfigLoader {
    /** The built-in configuration used when no {@code --config} is given. */
    static final String DEFAULT_CONFIG_RESOURCE = "/io/alertrelay/app/default-config.yaml";
    static final int MAX_FILE_BYTES = 1024 * 1024;
    static final int MAX_ALIASES = 100;
    static final int MAX_VALUES = 100_000;
    static final int MAX_DEPTH = 50;

    private ConfigLoader() {}

    /**
     * A read configuration.
     *
     * @param hash the first 12 hex digits of the SHA-256 of the text: names the config that is live
     * @param tree the tree after substitution, what a reload compares section by section
     */
    record Loaded(String origin, TreeConfigView root, List<String> problems, String hash, Map<String, Object> tree) {}

    static Loaded load(Path file, Function<String, String> environment) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ConfigurationException(file + ": the file is " + size + " bytes; the limit is 1 MiB ("
                        + MAX_FILE_BYTES + " bytes)");
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_FILE_BYTES + 1); // it may have grown since
            }
        } catch (NoSuchFileException e) {
            throw new ConfigurationException("--config: file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigurationException("--config: cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigurationException(file + ": the file is more than 1 MiB (" + MAX_FILE_BYTES
                    + " bytes), the limit");
        }
        return parse(file.toString(), new String(bytes, StandardCharsets.UTF_8), environment);
    }

    static Loaded loadDefault(Function<String, String> environment) {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_CONFIG_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("built-in default config is missing from the jar");
            }
            return parse("built-in local default", new String(in.readAllBytes(), StandardCharsets.UTF_8), environment);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in default config", e);
        }
    }

    static Loaded parse(String origin, String yaml, Function<String, String> environment) {
        if (yaml.length() > MAX_FILE_BYTES) {
            throw new ConfigurationException(origin + ": the configuration is more than 1 MiB (" + MAX_FILE_BYTES
                    + " bytes), the limit");
        }
        Object document;
        try {
            document = yaml().load(yaml);
        } catch (MarkedYAMLException e) {
            // the location is enough; the original message may quote a line holding a secret
            throw new ConfigurationException(origin + ": not valid YAML" + where(e.getProblemMark()) + reason(e));
        } catch (YAMLException e) {
            throw new ConfigurationException(origin + ": not valid YAML" + reason(e));
        }
        Map<String, Object> tree;
        if (document == null) {
            tree = Map.of();
        } else if (document instanceof Map<?, ?> map) {
            int[] values = {0};
            tree = strictCopy(map, 0, values, new IdentityHashMap<>(), origin);
        } else {
            throw new ConfigurationException(origin + ": must be a section of keys (redis:, subscriptions:, sinks:)");
        }
        EnvSubstitution substitution = new EnvSubstitution(environment);
        Map<String, Object> substituted = substitution.apply(tree);
        return new Loaded(origin, TreeConfigView.root(substituted), substitution.problems(), hash(yaml), substituted);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setCodePointLimit(MAX_FILE_BYTES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setProcessComments(false);
        Resolver resolver = new Resolver() {
            @Override
            protected void addImplicitResolvers() {
                // only null and merge keys: every other scalar stays the text written
                addImplicitResolver(Tag.NULL, NULL, "~nN\0");
                addImplicitResolver(Tag.NULL, EMPTY, null);
                addImplicitResolver(Tag.MERGE, MERGE, "<");
            }
        };
        return new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
                options, resolver);
    }

    /**
     * Copies the tree with string keys and scalars as strings, counting values as aliases expand them so that a
     * small file cannot become a huge tree.
     */
    private static Map<String, Object> strictCopy(Map<?, ?> map, int depth, int[] values, Map<Object, Boolean> path,
                                                  String origin) {
        if (path.put(map, Boolean.TRUE) != null) {
            throw new ConfigurationException(origin + ": a YAML alias refers to a section that contains it");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            count(values, origin);
            result.put(String.valueOf(entry.getKey()), copyValue(entry.getValue(), depth + 1, values, path, origin));
        }
        path.remove(map);
        return result;
    }

    private static Object copyValue(Object value, int depth, int[] values, Map<Object, Boolean> path, String origin) {
        if (value instanceof Map<?, ?> child) {
            return strictCopy(child, depth, values, path, origin);
        }
        if (value instanceof List<?> list) {
            if (path.put(list, Boolean.TRUE) != null) {
                throw new ConfigurationException(origin + ": a YAML alias refers to a list that contains it");
            }
            List<Object> copy = new ArrayList<>(list.size());
            for (Object element : list) {
                count(values, origin);
                copy.add(copyValue(element, depth + 1, values, path, origin));
            }
            path.remove(list);
            return copy;
        }
        if (value == null || value instanceof String) {
            return value;
        }
        if (value instanceof byte[]) {
            throw new ConfigurationException(origin + ": binary (!!binary) values are not supported");
        }
        return String.valueOf(value);
    }

    private static void count(int[] values, String origin) {
        if (++values[0] > MAX_VALUES) {
            throw new ConfigurationException(origin + ": more than " + MAX_VALUES
                    + " values once YAML aliases are expanded; the limit keeps a small file from becoming a huge one");
        }
    }

    private static String where(Mark mark) {
        return mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    /** SnakeYAML's own words for the limits it enforces, which quote nothing from the file. */
    private static String reason(YAMLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("The incoming YAML document exceeds the limit")) {
            return ": the configuration is more than 1 MiB (" + MAX_FILE_BYTES + " code points), the limit";
        }
        if (message.contains("Number of aliases for non-scalar nodes exceeds the specified max")) {
            return ": more than " + MAX_ALIASES + " aliases of sections or lists, the limit";
        }
        if (message.contains("Nesting Depth exceeded")) {
            return ": nested more than " + MAX_DEPTH + " levels deep, the limit";
        }
        if (message.contains("found duplicate key")) {
            return ": a key appears twice in one section";
        }
        return "";
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
