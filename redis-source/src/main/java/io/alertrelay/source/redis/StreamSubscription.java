package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A {@code stream} subscription: entries of a Redis stream read in a consumer group, so several relays share them.
 *
 * <pre>
 * subscriptions:
 *   - stream: "alerts:stream"
 *     group: alert-relay        # consumer group, created (MKSTREAM) when missing
 *     field: event              # the entry field holding the JSON event
 *     start: "$"                # where a new group starts: $ (only new entries) or 0 (the whole stream) or an id
 *     claim-idle: 60s           # entries pending this long on another (dead) consumer are taken over (XAUTOCLAIM)
 *     batch-size: 100           # entries per XREADGROUP / XAUTOCLAIM (1-10000)
 *     block: 1s                 # XREADGROUP BLOCK bound (10ms-30s)
 *     max-deliveries: 10        # an entry delivered this often and never acknowledged is given up (1-1000)
 * </pre>
 */
public record StreamSubscription(String stream, String group, String field, String start, Duration claimIdle,
        int batchSize, Duration block, int maxDeliveries) {
    public static final String DEFAULT_GROUP = "alert-relay";
    public static final String DEFAULT_FIELD = "event";
    /** A new group reads only entries added after it was created. */
    public static final String DEFAULT_START = "$";
    public static final Duration DEFAULT_CLAIM_IDLE = Duration.ofSeconds(60);
    public static final Duration MIN_CLAIM_IDLE = Duration.ofSeconds(1);
    public static final Duration MAX_CLAIM_IDLE = Duration.ofDays(1);
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final int MAX_BATCH_SIZE = 10_000;
    public static final Duration DEFAULT_BLOCK = Duration.ofSeconds(1);
    public static final Duration MIN_BLOCK = Duration.ofMillis(10);
    public static final Duration MAX_BLOCK = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_DELIVERIES = 10;
    public static final int MAX_MAX_DELIVERIES = 1_000;
    private static final Pattern ENTRY_ID = Pattern.compile("\\d+(-\\d+)?");

    public StreamSubscription {
        requireNonNull(stream, "stream is null");
        requireNonNull(group, "group is null");
        requireNonNull(field, "field is null");
        requireNonNull(start, "start is null");
        requireNonNull(claimIdle, "claimIdle is null");
        requireNonNull(block, "block is null");
    }

    /** A subscription with every default. */
    public static StreamSubscription of(String stream) {
        return new StreamSubscription(stream, DEFAULT_GROUP, DEFAULT_FIELD, DEFAULT_START, DEFAULT_CLAIM_IDLE,
                DEFAULT_BATCH_SIZE, DEFAULT_BLOCK, DEFAULT_MAX_DELIVERIES);
    }

    /** Reads one {@code subscriptions[i]} entry that has a {@code stream} key; every problem at once, keyed. */
    public static StreamSubscription from(ConfigView entry) {
        ConfigBinder c = new ConfigBinder(entry);
        String stream = c.required("stream", Parsers::string).asOptional().orElse(null);
        c.check(stream == null || !stream.isBlank(), "stream", "must not be empty");
        String group = c.optional("group", Parsers::string, DEFAULT_GROUP);
        c.check(!group.isBlank(), "group", "must not be empty");
        String field = c.optional("field", Parsers::string, DEFAULT_FIELD);
        c.check(!field.isBlank(), "field", "must not be empty");
        String start = c.optional("start", Parsers::string, DEFAULT_START).trim();
        c.check(start.equals("$") || ENTRY_ID.matcher(start).matches(), "start",
                "must be $ (new entries only), 0 (the whole stream) or a stream id like 1700000000000-0");
        Duration claimIdle = c.optional("claim-idle", Parsers::duration, DEFAULT_CLAIM_IDLE);
        c.check(claimIdle.compareTo(MIN_CLAIM_IDLE) >= 0 && claimIdle.compareTo(MAX_CLAIM_IDLE) <= 0, "claim-idle",
                "must be between 1s and 1d");
        int batchSize = c.optional("batch-size", Parsers::positiveInt, DEFAULT_BATCH_SIZE);
        c.check(batchSize <= MAX_BATCH_SIZE, "batch-size", "must be between 1 and " + MAX_BATCH_SIZE);
        Duration block = c.optional("block", Parsers::duration, DEFAULT_BLOCK);
        c.check(block.compareTo(MIN_BLOCK) >= 0 && block.compareTo(MAX_BLOCK) <= 0, "block",
                "must be between 10ms and 30s");
        int maxDeliveries = c.optional("max-deliveries", Parsers::positiveInt, DEFAULT_MAX_DELIVERIES);
        c.check(maxDeliveries <= MAX_MAX_DELIVERIES, "max-deliveries", "must be between 1 and " + MAX_MAX_DELIVERIES);
        if (!c.isValid()) {
            throw new ConfigurationException(c.problems());
        }
        return new StreamSubscription(stream, group, field, start, claimIdle, batchSize, block, maxDeliveries);
    }

    @Override
    public String toString() {
        return "stream " + stream + " (group " + group + ")";
    }
}
