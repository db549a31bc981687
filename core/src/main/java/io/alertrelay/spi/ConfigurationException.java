package io.alertrelay.spi;

import java.util.List;

/**
 * A configuration that cannot work. Carries every problem found, each starting with the full key it concerns. The
 * message never contains the value of a sensitive key.
 */
public final class ConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigurationException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigurationException(String problem) {
        this(List.of(problem));
    }

    /** Each problem, as {@code "<full.key>: <what is wrong>"}. */
    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        if (problems.size() == 1) {
            return "Invalid configuration: " + problems.get(0);
        }
        StringBuilder message = new StringBuilder("Invalid configuration (" + problems.size() + " problems):");
        for (int i = 0; i < problems.size(); i++) {
            message.append(System.lineSeparator()).append("  ").append(i + 1).append(") ").append(problems.get(i));
        }
        return message.toString();
    }
}
