package io.alertrelay.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in every string of a config tree with environment variables.
 * {@code $${...}} is a literal {@code ${...}}. A variable that is unset (and has no default) is a problem naming the
 * key and the variable, never the value.
 *
 * <p>Any other {@code ${...}} (Airlift's {@code ${ENV:NAME}}, a shell's {@code ${NAME:=x}}, an unclosed {@code ${})
 * is a problem naming the key: passed through, it would become a literal password or URL and fail only at the first
 * delivery.
 */
public final class EnvSubstitution {
    private static final Pattern REFERENCE = Pattern.compile("\\$(\\$?)\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    /** Anything that starts like a reference; what {@link #REFERENCE} does not match is an error. */
    private static final Pattern ANY_REFERENCE = Pattern.compile("\\$(\\$?)\\{[^}]*}?");
    private static final Pattern ENV_PREFIXED = Pattern.compile("\\$\\{ENV:([A-Za-z_][A-Za-z0-9_]*)}");

    private final Function<String, String> environment;
    private final List<String> problems = new ArrayList<>();

    public EnvSubstitution(Function<String, String> environment) {
        this.environment = environment;
    }

    /** Problems found by the last {@link #apply} call, each {@code "<full.key>: ..."}. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    public Map<String, Object> apply(Map<String, ?> tree) {
        problems.clear();
        return substituteMap("", tree);
    }

    private Map<String, Object> substituteMap(String at, Map<String, ?> tree) {
        Map<String, Object> result = new LinkedHashMap<>();
        tree.forEach((key, value) -> {
            String fullKey = at.isEmpty() ? key : at + "." + key;
            result.put(key, substitute(fullKey, value));
        });
        return result;
    }

    @SuppressWarnings("unchecked")
    private Object substitute(String fullKey, Object value) {
        if (value instanceof Map<?, ?> map) {
            return substituteMap(fullKey, (Map<String, ?>) map);
        }
        if (value instanceof List<?> list) {
            List<Object> result = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                result.add(substitute(fullKey + "[" + i + "]", list.get(i)));
            }
            return result;
        }
        if (value instanceof String text) {
            return substituteString(fullKey, text);
        }
        return value;
    }

    private String substituteString(String fullKey, String text) {
        Matcher matcher = ANY_REFERENCE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            Matcher reference = REFERENCE.matcher(matcher.group());
            if (!matcher.group(1).isEmpty()) {
                replacement = matcher.group().substring(1);
            } else if (!reference.matches()) {
                // the text is not quoted: in a sensitive value it may be part of the secret
                Matcher envPrefixed = ENV_PREFIXED.matcher(matcher.group());
                problems.add(fullKey + ": " + (envPrefixed.matches()
                        ? "${ENV:" + envPrefixed.group(1) + "} is not supported; write ${" + envPrefixed.group(1) + "}"
                        : "has a '${' that is not ${NAME} or ${NAME:-default} (write $${ for a literal ${)"));
                replacement = "";
            } else {
                String name = reference.group(2);
                String fromEnvironment = environment.apply(name);
                if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
                    replacement = fromEnvironment;
                } else if (reference.group(3) != null) {
                    replacement = reference.group(3);
                } else {
                    problems.add(fullKey + ": environment variable " + name + " is not set");
                    replacement = "";
                }
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(result);
        return result.toString();
    }
}
