package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import java.time.Instant;
import java.util.List;

/**
 * A time-boxed set of matchers: an alert every matcher holds for, between {@code startsAt} (inclusive) and
 * {@code endsAt} (exclusive), is silenced: counted, never sent.
 *
 * @param id        {@code cfg-<hash>} for one from the config (the same id at every start), a random UUID for one made
 *                  at run time
 * @param matchers  at least one
 * @param createdBy who made it ({@code author}); {@code "config"} when the config does not say
 * @param comment   why
 * @param origin    {@code config} or {@code api}
 */
public record Silence(String id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy,
                      String comment, String origin) {
    public Silence {
        requireNonNull(id, "id is null");
        matchers = List.copyOf(requireNonNull(matchers, "matchers is null"));
        if (matchers.isEmpty()) {
            throw new IllegalArgumentException("a silence needs at least one matcher");
        }
        requireNonNull(startsAt, "startsAt is null");
        requireNonNull(endsAt, "endsAt is null");
        requireNonNull(createdBy, "createdBy is null");
        requireNonNull(comment, "comment is null");
        requireNonNull(origin, "origin is null");
    }

    /** {@code pending} before it starts, {@code active}, {@code expired} from {@code endsAt} on. */
    public String state(Instant now) {
        if (!now.isBefore(endsAt)) {
            return "expired";
        }
        return now.isBefore(startsAt) ? "pending" : "active";
    }

    public boolean isActive(Instant now) {
        return !now.isBefore(startsAt) && now.isBefore(endsAt);
    }

    public boolean silences(Alert alert, Instant now) {
        if (!isActive(now)) {
            return false;
        }
        for (Matcher matcher : matchers) {
            if (!matcher.matches(alert)) {
                return false;
            }
        }
        return true;
    }

    public Silence expiredAt(Instant now) {
        return new Silence(id, matchers, startsAt.isAfter(now) ? now : startsAt, now, createdBy, comment, origin);
    }
}
