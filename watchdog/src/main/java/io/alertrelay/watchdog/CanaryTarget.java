package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import io.alertrelay.core.Glob;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.Subscription;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One channel the canary monitor publishes on, and the subscription whose delivery a canary there proves.
 *
 * @param channel      the Redis channel canaries are published on
 * @param subscription the subscription that should deliver them (a pattern matching {@code channel}, or the channel
 *                     itself)
 */
public record CanaryTarget(String channel, Subscription subscription) {
    /** What replaces the first {@code *} of a pattern when a canary channel is derived from it. */
    public static final String MARKER = "__canary__";

    public CanaryTarget {
        requireNonNull(channel, "channel is null");
        requireNonNull(subscription, "subscription is null");
    }

    /**
     * The canary targets for these subscriptions.
     *
     * <ul>
     *   <li>With a configured {@code channel}: one target, for the first subscription it matches (a pattern that
     *       globs it, or the identical channel). Subscriptions it does not match are not proven by a canary.</li>
     *   <li>Without: one target per subscription. A pattern gets a channel derived from it ({@link #derive}:
     *       {@code alerts:*} → {@code alerts:__canary__}); a channel subscription gets the channel itself (other
     *       consumers of that channel see canaries too; they carry {@code "canary"} and severity {@code info}).
     *       Two subscriptions deriving the same channel share the first one's target.</li>
     * </ul>
     *
     * @throws ConfigurationException under {@value WatchdogConfig#CANARY_CHANNEL_KEY} when the configured channel
     *                                matches no subscription or a pattern yields no channel
     */
    public static List<CanaryTarget> resolve(Optional<String> channel, Collection<Subscription> subscriptions) {
        if (subscriptions.isEmpty()) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        List<CanaryTarget> targets = new ArrayList<>();
        if (channel.isPresent()) {
            String name = channel.get();
            Optional<Subscription> match = subscriptions.stream().filter(s -> delivers(s, name)).findFirst();
            if (match.isPresent()) {
                targets.add(new CanaryTarget(name, match.get()));
            } else {
                problems.add(WatchdogConfig.CANARY_CHANNEL_KEY + ": '" + name + "' matches none of the subscriptions "
                        + subscriptions.stream().map(Subscription::toString).collect(Collectors.joining(", ", "[", "]"))
                        + "; a canary must come back through one of them");
            }
        } else {
            Map<String, CanaryTarget> byChannel = new LinkedHashMap<>();
            for (Subscription subscription : subscriptions) {
                Optional<String> derived = subscription.kind() == Subscription.Kind.CHANNEL
                        ? Optional.of(subscription.name())
                        : derive(subscription.name());
                if (derived.isEmpty()) {
                    problems.add(WatchdogConfig.CANARY_CHANNEL_KEY + ": no canary channel can be derived from pattern '"
                            + subscription.name() + "'; set it to a channel the pattern matches");
                } else {
                    byChannel.putIfAbsent(derived.get(), new CanaryTarget(derived.get(), subscription));
                }
            }
            targets.addAll(byChannel.values());
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return List.copyOf(targets);
    }

    /** Whether a message published on {@code channel} reaches {@code subscription}. */
    public static boolean delivers(Subscription subscription, String channel) {
        return subscription.kind() == Subscription.Kind.PATTERN
                ? Glob.matches(subscription.name(), channel)
                : subscription.name().equals(channel);
    }

    /**
     * A literal channel that {@code pattern} matches: the first {@code *} becomes {@value #MARKER}, further ones
     * nothing, {@code ?} an underscore, a {@code [class]} its first member among {@code _}, letters and digits, an
     * escaped character itself. Empty if the result would not match (checked with the same glob as PSUBSCRIBE).
     */
    public static Optional<String> derive(String pattern) {
        StringBuilder channel = new StringBuilder();
        boolean starUsed = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> {
                    if (!starUsed) {
                        channel.append(MARKER);
                        starUsed = true;
                    }
                }
                case '?' -> channel.append('_');
                case '\\' -> {
                    if (i + 1 < pattern.length()) {
                        i++;
                    }
                    channel.append(pattern.charAt(i));
                }
                case '[' -> {
                    int end = i + 1;
                    if (end < pattern.length() && pattern.charAt(end) == '^') {
                        end++;
                    }
                    while (end < pattern.length() && pattern.charAt(end) != ']') {
                        if (pattern.charAt(end) == '\\' && end + 1 < pattern.length()) {
                            end++;
                        }
                        end++;
                    }
                    String characterClass = pattern.substring(i, Math.min(end + 1, pattern.length()));
                    Optional<Character> member = firstMember(characterClass);
                    if (member.isEmpty()) {
                        return Optional.empty();
                    }
                    channel.append(member.get());
                    i = Math.min(end, pattern.length() - 1);
                }
                default -> channel.append(c);
            }
        }
        String result = channel.toString();
        return !result.isEmpty() && Glob.matches(pattern, result) ? Optional.of(result) : Optional.empty();
    }

    private static Optional<Character> firstMember(String characterClass) {
        String candidates = "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:";
        for (int i = 0; i < candidates.length(); i++) {
            char candidate = candidates.charAt(i);
            if (Glob.matches(characterClass, String.valueOf(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
