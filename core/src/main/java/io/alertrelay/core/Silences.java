package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alertrelay.spi.Alert;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's silences, kept in the {@link StateStore} (map {@value #MAP}) so they survive a restart. Silences from
 * the config are added at every start under a stable id; an expired or changed one keeps what the store says about its
 * expiry (expiring a config silence through the API holds across restarts until the config entry changes).
 * Expired silences are kept for {@link #RETENTION} after they end (listed as {@code expired}), then forgotten.
 */
public final class Silences {
    static final String MAP = "silences";
    /** How long an expired silence is still listed. */
    public static final Duration RETENTION = Duration.ofHours(24);
    private static final Logger log = LoggerFactory.getLogger(Silences.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StateStore store;
    private final Clock clock;
    private volatile List<Silence> all;

    public Silences(StateStore store, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        List<Silence> loaded = new ArrayList<>();
        for (Map.Entry<String, String> entry : store.entries(MAP).entrySet()) {
            try {
                loaded.add(decode(entry.getValue()));
            } catch (RuntimeException | java.io.IOException e) {
                log.warn("Silence {} in the state store could not be read ({}); dropped", entry.getKey(),
                        e.getClass().getSimpleName());
                store.remove(MAP, entry.getKey());
            }
        }
        this.all = sorted(loaded);
    }

    /** An in-memory set (tests). */
    public static Silences inMemory(Clock clock) {
        return new Silences(new InMemoryStateStore(), clock);
    }

    /**
     * Adds the config's silences (ids {@code cfg-<hash of matchers, times, author, comment>}); one already stored
     * under that id keeps its stored form (so an early expiry through the API holds).
     */
    public synchronized void addFromConfig(List<Silence> configured) {
        List<Silence> next = new ArrayList<>(all);
        for (Silence silence : configured) {
            if (next.stream().noneMatch(existing -> existing.id().equals(silence.id()))) {
                next.add(silence);
                store.put(MAP, silence.id(), encode(silence));
            }
        }
        store.commit();
        all = sorted(next);
    }

    /** A config silence with its stable id. */
    public static Silence fromConfig(List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy,
                                     String comment) {
        StringBuilder identity = new StringBuilder();
        matchers.forEach(matcher -> identity.append(matcher).append('\u0000'));
        identity.append(startsAt).append('\u0000').append(endsAt).append('\u0000').append(createdBy).append('\u0000')
                .append(comment);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.toString()
                    .getBytes(StandardCharsets.UTF_8));
            return new Silence("cfg-" + HexFormat.of().formatHex(hash, 0, 8), matchers, startsAt, endsAt, createdBy,
                    comment, "config");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Creates a silence; {@code startsAt} empty = now.
     *
     * @throws IllegalArgumentException when it would end before it starts, or has ended already
     */
    public synchronized Silence add(List<Matcher> matchers, Optional<Instant> startsAt, Instant endsAt,
                                    String createdBy, String comment) {
        Instant now = clock.instant();
        Instant starts = startsAt.orElse(now);
        if (!endsAt.isAfter(now)) {
            throw new IllegalArgumentException("until is in the past");
        }
        if (!endsAt.isAfter(starts)) {
            throw new IllegalArgumentException("until must be after starts");
        }
        Silence silence = new Silence(UUID.randomUUID().toString(), matchers, starts, endsAt, createdBy, comment,
                "api");
        store.put(MAP, silence.id(), encode(silence));
        store.commit();
        List<Silence> next = new ArrayList<>(all);
        next.add(silence);
        all = sorted(next);
        log.info("Silence {} added by {} until {}: {} ({})", silence.id(), createdBy, endsAt, matchers, comment);
        return silence;
    }

    /** Ends a silence now; empty when there is none with this id. An expired one stays as it is. */
    public synchronized Optional<Silence> expire(String id) {
        Instant now = clock.instant();
        List<Silence> next = new ArrayList<>(all);
        for (int i = 0; i < next.size(); i++) {
            Silence silence = next.get(i);
            if (silence.id().equals(id)) {
                if (silence.state(now).equals("expired")) {
                    return Optional.of(silence);
                }
                Silence expired = silence.expiredAt(now);
                next.set(i, expired);
                store.put(MAP, id, encode(expired));
                store.commit();
                all = sorted(next);
                log.info("Silence {} expired by request", id);
                return Optional.of(expired);
            }
        }
        return Optional.empty();
    }

    public Optional<Silence> get(String id) {
        return all.stream().filter(silence -> silence.id().equals(id)).findFirst();
    }

    /** Every silence still listed (active, pending, and expired within {@link #RETENTION}), by start. */
    public List<Silence> list() {
        prune();
        return all;
    }

    /** The first active silence that silences this alert. */
    public Optional<Silence> silencing(Alert alert) {
        List<Silence> current = all;
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        for (Silence silence : current) {
            if (silence.silences(alert, now)) {
                return Optional.of(silence);
            }
        }
        return Optional.empty();
    }

    public long activeCount() {
        Instant now = clock.instant();
        return all.stream().filter(silence -> silence.isActive(now)).count();
    }

    /** Forgets silences that ended more than {@link #RETENTION} ago. */
    public synchronized void prune() {
        Instant horizon = clock.instant().minus(RETENTION);
        List<Silence> keep = new ArrayList<>();
        boolean changed = false;
        for (Silence silence : all) {
            if (silence.endsAt().isBefore(horizon) && !silence.origin().equals("config")) {
                store.remove(MAP, silence.id());
                changed = true;
            } else {
                keep.add(silence);
            }
        }
        if (changed) {
            all = sorted(keep);
        }
    }

    private static List<Silence> sorted(List<Silence> silences) {
        List<Silence> copy = new ArrayList<>(silences);
        copy.sort(Comparator.comparing(Silence::startsAt).thenComparing(Silence::id));
        return List.copyOf(copy);
    }

    static String encode(Silence silence) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", silence.id());
        var matchers = node.putArray("matchers");
        silence.matchers().forEach(matcher -> matchers.add(matcher.toString()));
        node.put("startsAt", silence.startsAt().toString());
        node.put("endsAt", silence.endsAt().toString());
        node.put("createdBy", silence.createdBy());
        node.put("comment", silence.comment());
        node.put("origin", silence.origin());
        return node.toString();
    }

    static Silence decode(String json) throws java.io.IOException {
        JsonNode node = JSON.readTree(json);
        List<Matcher> matchers = new ArrayList<>();
        node.path("matchers").forEach(matcher -> matchers.add(Matcher.parse(matcher.asText())));
        return new Silence(node.path("id").asText(), matchers, Instant.parse(node.path("startsAt").asText()),
                Instant.parse(node.path("endsAt").asText()), node.path("createdBy").asText(),
                node.path("comment").asText(), node.path("origin").asText("api"));
    }
}
