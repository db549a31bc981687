package io.alertrelay.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.alertrelay.config.EnvSubstitution;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Reads the YAML config file (or the built-in local default) and substitutes {@code ${ENV}} references. */
final class ConfigLoader {
    /** The built-in configuration used when no {@code --config} is given. */
    static final String DEFAULT_CONFIG_RESOURCE = "/io/alertrelay/app/default-config.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {}

    record Loaded(String origin, TreeConfigView root, List<String> problems) {}

    static Loaded load(Path file, Function<String, String> environment) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException("--config: file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigurationException("--config: cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        return parse(file.toString(), text, environment);
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
        Map<String, Object> tree;
        try {
            tree = yaml.isBlank() ? Map.of() : YAML.readValue(yaml, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (JsonProcessingException e) {
            // the location is enough; the original message may quote a line holding a secret
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw new ConfigurationException(origin + ": not valid YAML" + where);
        }
        if (tree == null) {
            tree = Map.of();
        }
        EnvSubstitution substitution = new EnvSubstitution(environment);
        Map<String, Object> substituted = substitution.apply(tree);
        return new Loaded(origin, TreeConfigView.root(substituted), substitution.problems());
    }
}
