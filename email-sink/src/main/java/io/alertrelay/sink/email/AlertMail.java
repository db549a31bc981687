package io.alertrelay.sink.email;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders one alert as a {@code multipart/alternative} message: text/plain first, text/html last (RFC 2046 5.1.4).
 *
 * <p>Event data reaches exactly one header, {@code Subject}, and only through {@link HeaderText#oneLine}. The
 * {@code Message-ID} and {@code References} values are hashes, the other headers come from config or are constants;
 * no header name is ever built from event data. In the bodies single-line fields are kept on one line and the HTML part
 * escapes everything.
 */
final class AlertMail {
    static final int MAX_TITLE_CODE_POINTS = 200;
    static final int MAX_FIELD_CODE_POINTS = 1000;
    static final int MAX_SUMMARY_CHARS = 20_000;

    private AlertMail() {}

    /** {@code <prefix> [FIRING] [critical] <title>}, on one line. */
    static String subject(String prefix, Alert alert) {
        String head = "[" + alert.status().wireName().toUpperCase(Locale.ROOT) + "] [" + alert.severity().wireName() + "] ";
        String subject = head + HeaderText.oneLine(alert.title(), MAX_TITLE_CODE_POINTS);
        String safePrefix = HeaderText.oneLine(prefix, MAX_FIELD_CODE_POINTS);
        return safePrefix.isEmpty() ? subject : safePrefix + " " + subject;
    }

    /**
     * The whole message, ready for {@code Transport.sendMessage}.
     *
     * @param sentAt        the {@code Date} header
     * @param instanceName  the sink id, named in the footer and mixed into the Message-ID
     */
    static MimeMessage build(Session session, InternetAddress from, InternetAddress[] to, String subjectPrefix,
            Alert alert, Instant sentAt, String instanceName) throws MessagingException {
        String domain = domainOf(from);
        MimeMessage message = new AlertMimeMessage(session, messageId(alert, instanceName, domain));
        message.setFrom(from);
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject(subjectPrefix, alert), "UTF-8");
        message.setSentDate(Date.from(sentAt));
        // firing and resolved notifications of one alert id share this anchor, so mail clients can thread them
        message.setHeader("References", threadAnchor(alert, instanceName, domain));
        message.setHeader("Auto-Submitted", "auto-generated"); // RFC 3834: no auto-replies, please

        MimeBodyPart text = new MimeBodyPart();
        text.setText(text(alert, instanceName), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(html(alert, instanceName), "UTF-8", "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        message.setContent(alternative);
        message.saveChanges();
        return message;
    }

    static String text(Alert alert, String instanceName) {
        StringBuilder body = new StringBuilder();
        body.append(headline(alert)).append("\n\n");
        for (Field field : fields(alert)) {
            String label = String.format(Locale.ROOT, "%-10s ", field.name() + ":");
            String indent = " ".repeat(label.length());
            List<String> lines = field.lines();
            for (int i = 0; i < lines.size(); i++) {
                body.append(i == 0 ? label : indent).append(lines.get(i)).append('\n');
            }
        }
        body.append("\n-- \nSent by alert-relay, sink ").append(HeaderText.oneLine(instanceName, MAX_FIELD_CODE_POINTS))
                .append(".\n");
        return body.toString();
    }

    static String html(Alert alert, String instanceName) {
        StringBuilder body = new StringBuilder(1024);
        body.append("<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>").append(escape(headline(alert)))
                .append("</title></head>\n<body style=\"font-family:sans-serif\">\n")
                .append("<h2 style=\"color:").append(colour(alert)).append("\">").append(escape(headline(alert)))
                .append("</h2>\n<table cellpadding=\"4\" style=\"border-collapse:collapse\">\n");
        for (Field field : fields(alert)) {
            body.append("<tr><th align=\"left\" valign=\"top\">").append(escape(field.name())).append("</th><td")
                    .append(field.name().equals("Summary") ? " style=\"white-space:pre-wrap\">" : ">");
            List<String> lines = field.lines();
            for (int i = 0; i < lines.size(); i++) {
                body.append(i == 0 ? "" : "<br>").append(escape(lines.get(i)));
            }
            body.append("</td></tr>\n");
        }
        body.append("</table>\n<p style=\"color:#666666;font-size:small\">Sent by alert-relay, sink ")
                .append(escape(HeaderText.oneLine(instanceName, MAX_FIELD_CODE_POINTS))).append(".</p>\n</body></html>\n");
        return body.toString();
    }

    /** HTML-escapes text for element content and quoted attribute values. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }

    /** {@code <hash.firing@domain>}: stable across retries of one notification, distinct per sink, status and time. */
    static String messageId(Alert alert, String instanceName, String domain) {
        Instant when = alert.timestamp().orElse(alert.origin().receivedAt());
        return "<" + hash(instanceName, alert.id(), alert.status().wireName(), when.toString()) + "."
                + alert.status().wireName() + "@" + domain + ">";
    }

    static String threadAnchor(Alert alert, String instanceName, String domain) {
        return "<" + hash(instanceName, alert.id()) + ".alert@" + domain + ">";
    }

    private static String headline(Alert alert) {
        return "[" + alert.status().wireName().toUpperCase(Locale.ROOT) + "] [" + alert.severity().wireName() + "] "
                + HeaderText.oneLine(alert.title(), MAX_FIELD_CODE_POINTS);
    }

    private record Field(String name, List<String> lines) {}

    private static List<Field> fields(Alert alert) {
        List<Field> fields = new ArrayList<>();
        alert.summary().ifPresent(summary -> fields.add(new Field("Summary", multiLine(summary))));
        fields.add(new Field("Severity", List.of(alert.severity().wireName())));
        fields.add(new Field("Status", List.of(alert.status().wireName())));
        alert.source().ifPresent(source -> fields.add(new Field("Source", List.of(line(source)))));
        String channel = line(alert.origin().channel())
                + alert.origin().pattern().map(pattern -> " (pattern " + line(pattern) + ")").orElse("");
        fields.add(new Field("Channel", List.of(channel)));
        if (!alert.labels().isEmpty()) {
            List<String> labels = new ArrayList<>();
            for (Map.Entry<String, String> label : alert.labels().entrySet()) {
                labels.add(line(label.getKey()) + "=" + line(label.getValue()));
            }
            fields.add(new Field("Labels", labels));
        }
        fields.add(new Field("Id", List.of(line(alert.id()))));
        alert.timestamp().ifPresent(at -> fields.add(new Field("Timestamp", List.of(DateTimeFormatter.ISO_INSTANT.format(at)))));
        fields.add(new Field("Received", List.of(DateTimeFormatter.ISO_INSTANT.format(alert.origin().receivedAt()))));
        return fields;
    }

    private static String line(String text) {
        return HeaderText.oneLine(text, MAX_FIELD_CODE_POINTS);
    }

    /** Keeps the summary's line breaks (CRLF, CR, NEL, U+2028/9 become line ends); drops other control characters. */
    private static List<String> multiLine(String text) {
        String bounded = text.length() > MAX_SUMMARY_CHARS ? text.substring(0, MAX_SUMMARY_CHARS) + "\u2026" : text;
        String normalized = bounded.replace("\r\n", "\n").replace('\r', '\n').replace('\u0085', '\n')
                .replace('\u2028', '\n').replace('\u2029', '\n');
        List<String> lines = new ArrayList<>();
        for (String raw : normalized.split("\n", -1)) {
            lines.add(HeaderText.oneLine(raw, Integer.MAX_VALUE));
        }
        while (lines.size() > 1 && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    private static String colour(Alert alert) {
        if (alert.status() == Status.RESOLVED) {
            return "#2e7d32";
        }
        Severity severity = alert.severity();
        return switch (severity) {
            case CRITICAL -> "#b00020";
            case ERROR -> "#d84315";
            case WARNING -> "#f57f17";
            case INFO -> "#1565c0";
        };
    }

    private static String domainOf(InternetAddress from) {
        String address = from.getAddress();
        return address.substring(address.lastIndexOf('@') + 1);
    }

    private static String hash(String... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                digest.update(part.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Keeps our Message-ID: {@link MimeMessage#saveChanges()} would otherwise replace it with a random one. */
    private static final class AlertMimeMessage extends MimeMessage {
        private final String messageId;

        AlertMimeMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
