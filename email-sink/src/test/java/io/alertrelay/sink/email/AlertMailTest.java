package io.alertrelay.sink.email;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import io.alertrelay.testing.Alerts;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The rendering and the header-injection guard, without a server. */
class AlertMailTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:02Z");

    @Test
    void subjectHasPrefixStatusSeverityAndTitle() {
        assertThat(AlertMail.subject("[alert-relay]", Alerts.diskFull()))
                .isEqualTo("[alert-relay] [FIRING] [critical] Disk full on db-1");
        assertThat(AlertMail.subject("", Alerts.diskFull())).isEqualTo("[FIRING] [critical] Disk full on db-1");
    }

    @Test
    void subjectKeepsNoLineBreakOrControlCharacter() {
        Alert alert = Alerts.alert("x", "Disk full\r\nBcc: evil@attacker.test\n\nbody\u0000\u0085\u2028\u2029\u007f\tend");

        assertThat(AlertMail.subject("[p]", alert))
                .isEqualTo("[p] [FIRING] [warning] Disk full Bcc: evil@attacker.test body end");
    }

    @Test
    void oneLineCutsLongTextAtACodePoint() {
        String title = "\uD83D\uDD25".repeat(300); // a fire emoji is two chars, one code point

        String line = HeaderText.oneLine(title, 200);

        assertThat(line.codePointCount(0, line.length())).isEqualTo(201);
        assertThat(line).endsWith("\uD83D\uDD25\u2026");
        assertThat(HeaderText.oneLine("  \r\n  a  \n", 10)).isEqualTo("a");
        assertThat(HeaderText.oneLine("lone \uD800 surrogate", 50)).isEqualTo("lone \uFFFD surrogate");
    }

    @Test
    void textBodyListsEveryField() {
        String text = AlertMail.text(Alerts.diskFull(), "ops-mail");

        assertThat(text).isEqualTo("""
                [FIRING] [critical] Disk full on db-1

                Summary:   /var at 97%%
                Severity:  critical
                Status:    firing
                Source:    monitor-7
                Channel:   alerts:prod (pattern alerts:*)
                Labels:    %s
                           %s
                Id:        evt-42
                Timestamp: 2026-11-23T10:00:00Z
                Received:  2026-11-23T10:00:01Z

                --\s
                Sent by alert-relay, sink ops-mail.
                """.formatted(labelLines(Alerts.diskFull())[0], labelLines(Alerts.diskFull())[1]));
    }

    @Test
    void multiLineSummaryStaysMultiLineButLabelsCannotForgeLines() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("team", "storage\nSeverity:  info");
        Alert alert = new Alert("id-1", "t", Status.RESOLVED, Severity.INFO, Optional.of("line one\r\nline two\u2028three"),
                labels, Optional.empty(), Optional.empty(), Map.of(),
                new Alert.Origin("alerts:x", Optional.empty(), Instant.parse("2026-11-23T10:00:00Z")));

        String text = AlertMail.text(alert, "ops-mail");

        assertThat(text).contains("Summary:   line one\n           line two\n           three\n");
        assertThat(text).contains("Labels:    team=storage Severity:  info\n");
        assertThat(text).contains("Channel:   alerts:x\n");
        assertThat(text).doesNotContain("Timestamp:").doesNotContain("Source:");
    }

    @Test
    void htmlEscapesEventData() {
        Alert alert = Alerts.alert("<id>", "<script>alert('x')</script> & \"more\"", Severity.ERROR,
                Map.of("<b>", "</td>"));

        String html = AlertMail.html(alert, "ops-mail");

        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;")
                .contains("&lt;b&gt;=&lt;/td&gt;")
                .contains("&lt;id&gt;")
                .doesNotContain("<script>")
                .doesNotContain("<b>");
    }

    @Test
    void messageIsMultipartAlternativeWithTextFirstAndStableIds() throws Exception {
        MimeMessage message = build(Alerts.diskFull());

        assertThat(message.getContentType()).startsWith("multipart/alternative");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html").containsIgnoringCase("charset=UTF-8");
        assertThat(message.getHeader("Message-ID")).singleElement().asString()
                .matches("<[0-9a-f]{32}\\.firing@example\\.com>");
        assertThat(message.getHeader("Message-ID")).isEqualTo(build(Alerts.diskFull()).getHeader("Message-ID"));
        assertThat(message.getHeader("References")).singleElement().asString().matches("<[0-9a-f]{32}\\.alert@example\\.com>");
        assertThat(message.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        assertThat(message.getSentDate().toInstant()).isEqualTo(NOW);
    }

    @Test
    void resolvedGetsItsOwnMessageIdButTheSameThread() throws Exception {
        Alert firing = Alerts.diskFull();
        Alert resolved = new Alert(firing.id(), firing.title(), Status.RESOLVED, firing.severity(), firing.summary(),
                firing.labels(), firing.source(), Optional.of(Instant.parse("2026-11-23T11:00:00Z")), Map.of(),
                firing.origin());

        MimeMessage a = build(firing);
        MimeMessage b = build(resolved);

        assertThat(b.getHeader("Message-ID")[0]).isNotEqualTo(a.getHeader("Message-ID")[0]).contains(".resolved@");
        assertThat(b.getHeader("References")).isEqualTo(a.getHeader("References"));
    }

    @Test
    void rawMessageHasNoForgedHeaderAndEncodesNonAscii() throws Exception {
        // U+560A and U+760D end in the bytes 0A/0D in UTF-16: the characters of CVE-2025-7962
        Alert alert = Alerts.alert("x", "Disk full\r\nBcc: evil@attacker.test\u2028X-Evil: 1 \u560a\u760d");

        MimeMessage message = build(alert);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        message.writeTo(raw);
        String headers = raw.toString(StandardCharsets.US_ASCII).split("\r\n\r\n", 2)[0];

        assertThat(headers.lines().filter(l -> !l.startsWith(" ") && !l.startsWith("\t")).map(l -> l.split(":", 2)[0]))
                .containsExactlyInAnyOrder("Date", "From", "To", "Message-ID", "Subject", "References",
                        "Auto-Submitted", "MIME-Version", "Content-Type");
        assertThat(headers).doesNotContainIgnoringCase("\nBcc:").doesNotContain("\nX-Evil:");
        assertThat(raw.toString(StandardCharsets.ISO_8859_1)).as("7-bit only").matches("[\\x00-\\x7f]*");
        assertThat(message.getSubject())
                .isEqualTo("[alert-relay] [FIRING] [warning] Disk full Bcc: evil@attacker.test X-Evil: 1 \u560a\u760d");
        assertThat(message.getHeader("Bcc")).isNull();
    }

    private static MimeMessage build(Alert alert) throws Exception {
        return AlertMail.build(Session.getInstance(new Properties()), new InternetAddress("alerts@example.com", true),
                new InternetAddress[] {new InternetAddress("ops@example.com", true)}, "[alert-relay]", alert, NOW,
                "ops-mail");
    }

    /** Map.of has no order; render the labels the way the mail does. */
    private static String[] labelLines(Alert alert) {
        return alert.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }
}
