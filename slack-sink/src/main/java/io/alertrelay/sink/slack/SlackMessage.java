package io.alertrelay.sink.slack;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON body posted to the webhook: a Block Kit message, serialized by Jackson.
 *
 * <p>Every piece of event data is escaped for Slack ({@code &}, {@code <}, {@code >} become entities, see
 * {@link #escape}) so an event can neither mention {@code <!channel>} nor forge a link, and cut to Slack's limits
 * (ending with {@code …}). Mrkdwn text objects are sent with {@code verbatim: true}, so Slack does not auto-link
 * bare URLs, channel names or mentions in them either.
 *
 * @param text      the fallback shown in notifications, mrkdwn, escaped
 * @param channel   legacy-webhook override, or null
 * @param username  legacy-webhook override, or null
 * @param iconEmoji legacy-webhook override, or null
 * @param blocks    header, fields, summary (if any), context
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SlackMessage(
        String text,
        String channel,
        String username,
        @JsonProperty("icon_emoji") String iconEmoji,
        List<Block> blocks) {

    static final int MAX_HEADER_TEXT = 150;
    static final int MAX_FIELDS = 10;
    static final int MAX_FIELD_TEXT = 2000;
    static final int MAX_SECTION_TEXT = 3000;
    static final int MAX_FALLBACK_TEXT = 3000;
    static final int MAX_CONTEXT_TEXT = 2000;
    /** How much of a label key, id or source we show before cutting it. */
    static final int MAX_NAME = 200;

    static final String ELLIPSIS = "…";

    /** A Block Kit block; unused members are null and left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Block(String type, Text text, List<Text> fields, List<Text> elements) {
        static Block header(Text text) {
            return new Block("header", text, null, null);
        }

        static Block section(Text text) {
            return new Block("section", text, null, null);
        }

        static Block fields(List<Text> fields) {
            return new Block("section", null, List.copyOf(fields), null);
        }

        static Block context(List<Text> elements) {
            return new Block("context", null, null, List.copyOf(elements));
        }
    }

    /** A Block Kit text object. The text must already be escaped and cut. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Text(String type, String text, Boolean emoji, Boolean verbatim) {
        static Text plain(String text) {
            return new Text("plain_text", text, true, null);
        }

        static Text mrkdwn(String text) {
            return new Text("mrkdwn", text, null, true);
        }

        /** Operator text (a mention such as {@code <!subteam^S123>}), not escaped: never event data. */
        static Text mrkdwnParsed(String text) {
            return new Text("mrkdwn", text, null, null);
        }
    }

    /** Most blocks Slack accepts in one message. */
    static final int MAX_BLOCKS = 50;
    /** Most characters of one alert's line in a digest. */
    static final int MAX_DIGEST_LINE = 300;

    static SlackMessage from(Alert alert, SlackSinkConfig config) {
        return from(alert, config, null);
    }

    /**
     * One alert as a message.
     *
     * @param resolves for a resolution sent as a new message (a webhook cannot edit): a line naming the message it
     *                 resolves, already escaped; null for none
     */
    static SlackMessage from(Alert alert, SlackSinkConfig config, String resolves) {
        String status = "[" + alert.status().wireName().toUpperCase(Locale.ROOT) + "]";
        String severity = alert.severity().wireName();

        List<Block> blocks = new ArrayList<>();
        String mention = mention(alert, config);
        blocks.add(Block.header(Text.plain(status + " " + fit(singleLine(alert.title()),
                MAX_HEADER_TEXT - status.length() - 1))));
        if (mention != null) {
            blocks.add(Block.section(Text.mrkdwnParsed(mention)));
        }
        blocks.add(Block.fields(fields(alert)));
        alert.summary()
                .map(SlackMessage::withoutControlCharacters)
                .filter(summary -> !summary.isBlank())
                .ifPresent(summary -> blocks.add(Block.section(Text.mrkdwn(fit(summary, MAX_SECTION_TEXT)))));
        List<Text> context = new ArrayList<>();
        context.add(Text.mrkdwn(context(alert)));
        if (resolves != null) {
            context.add(Text.mrkdwn(resolves));
        }
        blocks.add(Block.context(context));

        String fallback = (mention == null ? "" : mention + " ") + status + " [" + severity + "] ";
        fallback += fit(singleLine(alert.title()), MAX_FALLBACK_TEXT - fallback.length());
        return new SlackMessage(fallback, config.channel().orElse(null), config.username().orElse(null),
                config.iconEmoji().orElse(null), blocks);
    }

    /**
     * Several alerts as one message within Block Kit's limits: a header {@code [FIRING] <first title> … and N more}, a
     * mention if the most urgent severity has one, one line per alert ({@code • [severity] title (status)}, escaped,
     * at most {@link #MAX_DIGEST_LINE} characters) in sections of at most {@link #MAX_SECTION_TEXT} characters cut
     * on line boundaries, at most {@link io.alertrelay.spi.Digest#LISTED_LIMIT} lines, then {@code … and N more}
     * (every alert is listed or counted), and a context line with the count. At most {@link #MAX_BLOCKS} blocks.
     */
    static SlackMessage digest(List<Alert> alerts, SlackSinkConfig config) {
        Alert first = alerts.get(0);
        boolean firing = alerts.stream().anyMatch(alert -> alert.status() == Status.FIRING);
        Severity severity = alerts.stream().map(Alert::severity).min(java.util.Comparator.naturalOrder()).orElseThrow();
        String status = firing ? "[FIRING]" : "[RESOLVED]";
        String more = " … and " + (alerts.size() - 1) + " more";

        List<Block> blocks = new ArrayList<>();
        blocks.add(Block.header(Text.plain(status + " " + fit(singleLine(first.title()),
                MAX_HEADER_TEXT - status.length() - 1 - more.length()) + more)));
        String mention = firing ? config.mentions().get(severity) : null;
        if (mention != null) {
            blocks.add(Block.section(Text.mrkdwnParsed(mention)));
        }
        int sectionsLeft = MAX_BLOCKS - blocks.size() - 2; // the context, and the "… and N more" section
        int limit = Math.min(alerts.size(), io.alertrelay.spi.Digest.LISTED_LIMIT);
        StringBuilder section = new StringBuilder();
        int listed = 0;
        for (; listed < limit; listed++) {
            Alert alert = alerts.get(listed);
            String line = fit("• [" + alert.severity().wireName() + "] " + singleLine(alert.title()) + " ("
                    + alert.status().wireName() + ")", MAX_DIGEST_LINE);
            if (section.length() > 0 && section.length() + 1 + line.length() > MAX_SECTION_TEXT) {
                if (sectionsLeft == 1) {
                    break;
                }
                blocks.add(Block.section(Text.mrkdwn(section.toString())));
                sectionsLeft--;
                section.setLength(0);
            }
            if (section.length() > 0) {
                section.append('\n');
            }
            section.append(line);
        }
        if (section.length() > 0) {
            blocks.add(Block.section(Text.mrkdwn(section.toString())));
        }
        if (listed < alerts.size()) {
            blocks.add(Block.section(Text.mrkdwn("… and " + (alerts.size() - listed) + " more")));
        }
        long firingCount = alerts.stream().filter(alert -> alert.status() == Status.FIRING).count();
        blocks.add(Block.context(List.of(Text.mrkdwn(alerts.size() + " alerts in one message (" + firingCount
                + " firing, " + (alerts.size() - firingCount) + " resolved): more arrived than the channel's rate "
                + "allows"))));

        String fallback = (mention == null ? "" : mention + " ") + status + " [" + severity.wireName() + "] ";
        fallback += fit(singleLine(first.title()), MAX_FALLBACK_TEXT - fallback.length() - more.length()) + more;
        return new SlackMessage(fallback, config.channel().orElse(null), config.username().orElse(null),
                config.iconEmoji().orElse(null), blocks);
    }

    /** The operator's mention for a firing alert of this severity (sent as written), or null. */
    private static String mention(Alert alert, SlackSinkConfig config) {
        return alert.status() == Status.FIRING ? config.mentions().get(alert.severity()) : null;
    }

    /** The attachment colour of a message: green when resolved, else by severity. */
    static String colour(Status status, Severity severity) {
        if (status == Status.RESOLVED) {
            return "#2EB67D";
        }
        return switch (severity) {
            case CRITICAL, ERROR -> "#E01E5A";
            case WARNING -> "#ECB22E";
            case INFO -> "#36C5F0";
        };
    }

    private static List<Text> fields(Alert alert) {
        List<Text> fields = new ArrayList<>();
        fields.add(field("Severity", alert.severity().wireName()));
        alert.source().ifPresent(source -> fields.add(field("Source", fit(singleLine(source), MAX_NAME))));
        fields.add(field("Channel", fit(singleLine(alert.origin().channel()), MAX_NAME)));

        Iterator<Map.Entry<String, String>> labels = alert.labels().entrySet().iterator();
        while (labels.hasNext()) {
            Map.Entry<String, String> label = labels.next();
            boolean lastSlot = fields.size() == MAX_FIELDS - 1;
            if (lastSlot && labels.hasNext()) {
                // More labels than slots: the last field lists the rest, one per line, cut to the field limit.
                StringBuilder rest = new StringBuilder();
                rest.append(labelLine(label));
                labels.forEachRemaining(next -> rest.append('\n').append(labelLine(next)));
                fields.add(Text.mrkdwn(fit("*More labels*\n", rest.toString())));
                break;
            }
            fields.add(Text.mrkdwn(fit("*" + fit(singleLine(label.getKey()), MAX_NAME) + "*\n",
                    withoutControlCharacters(label.getValue()))));
        }
        return fields;
    }

    /** A field whose value is already escaped. */
    private static Text field(String name, String escapedValue) {
        return Text.mrkdwn("*" + name + "*\n" + escapedValue);
    }

    /** {@code escapedPrefix} followed by as much of {@code raw} (escaped) as fits a field. */
    private static String fit(String escapedPrefix, String raw) {
        return escapedPrefix + fit(raw, MAX_FIELD_TEXT - escapedPrefix.length());
    }

    private static String labelLine(Map.Entry<String, String> label) {
        return singleLine(label.getKey()) + "=" + singleLine(label.getValue());
    }

    private static String context(Alert alert) {
        String id = "id " + fit(singleLine(alert.id()), MAX_NAME);
        String when = alert.timestamp()
                .map(at -> "at " + DateTimeFormatter.ISO_INSTANT.format(at))
                .orElseGet(() -> "received " + DateTimeFormatter.ISO_INSTANT.format(alert.origin().receivedAt()));
        return id + " | " + when;
    }

    /**
     * Escapes Slack's three control characters. Nothing else is entity-encoded: Slack decodes only these.
     */
    static String escape(String raw) {
        StringBuilder out = new StringBuilder(raw.length() + 16);
        for (int i = 0; i < raw.length(); i++) {
            out.append(escape(raw.charAt(i)));
        }
        return out.toString();
    }

    private static String escape(char c) {
        return switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            default -> String.valueOf(c);
        };
    }

    /**
     * Escapes {@code raw} and cuts the result to at most {@code max} UTF-16 units (Slack's limits are at least as
     * generous), ending with {@code …} when cut. Never splits an entity or a surrogate pair.
     */
    static String fit(String raw, int max) {
        if (max < 1) {
            return "";
        }
        String escaped = escape(raw);
        if (escaped.length() <= max) {
            return escaped;
        }
        int budget = max - ELLIPSIS.length();
        StringBuilder out = new StringBuilder(max);
        int i = 0;
        while (i < raw.length()) {
            int codePoint = raw.codePointAt(i);
            int units = Character.charCount(codePoint);
            String piece = units == 1 ? escape((char) codePoint) : raw.substring(i, i + units);
            if (out.length() + piece.length() > budget) {
                break;
            }
            out.append(piece);
            i += units;
        }
        return out.append(ELLIPSIS).toString();
    }

    /** Line breaks and other control characters become spaces (headers, names, one-line values). */
    static String singleLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        return out.toString();
    }

    /** Control characters other than line feed and tab are dropped (multi-line text such as the summary). */
    static String withoutControlCharacters(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\t' || !Character.isISOControl(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
