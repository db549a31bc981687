package io.alertrelay.sink.email;

import static io.alertrelay.sink.email.TestConfigs.local;
import static io.alertrelay.sink.email.TestConfigs.view;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Severity;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.TestSinkContext;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Against GreenMail, a real in-process SMTP server (plain SMTP and SMTPS, on ports the OS picks). */
class EmailSinkTest {
    private static final String USER = "relay";
    private static final String PASSWORD = "s3cret-Pa55";

    @RegisterExtension
    static final GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup[] {ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.SMTPS.dynamicPort()})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("relay@example.com", USER, PASSWORD));

    @Test
    void deliversOneMultipartMailPerRecipient() throws Exception {
        DeliveryResult result = deliver(local(smtpPort(), "to", List.of("ops@example.com", "oncall@example.net")),
                Alerts.diskFull());

        assertThat(result).isEqualTo(DeliveryResult.delivered());
        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(2); // one copy per mailbox
        MimeMessage mail = received[0];
        assertThat(mail.getSubject()).isEqualTo("[alert-relay] [FIRING] [critical] Disk full on db-1");
        assertThat(addresses(mail.getFrom())).containsExactly("alerts@example.com");
        assertThat(addresses(mail.getRecipients(Message.RecipientType.TO)))
                .containsExactly("ops@example.com", "oncall@example.net");
        assertThat(mail.getHeader("Message-ID")).singleElement().asString().matches("<[0-9a-f]{32}\\.firing@example\\.com>");

        MimeMultipart parts = (MimeMultipart) mail.getContent();
        assertThat(parts.getContentType()).startsWith("multipart/alternative");
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat(parts.getBodyPart(1).isMimeType("text/html")).isTrue();
        String text = (String) parts.getBodyPart(0).getContent();
        assertThat(text).contains("Severity:  critical", "Status:    firing", "Source:    monitor-7",
                "Channel:   alerts:prod (pattern alerts:*)", "host=db-1", "team=storage", "Summary:   /var at 97%",
                "Id:        evt-42", "Timestamp: 2026-11-23T10:00:00Z");
        String html = (String) parts.getBodyPart(1).getContent();
        assertThat(html).contains("<th align=\"left\" valign=\"top\">Severity</th><td>critical</td>", "/var at 97%");
    }

    @Test
    void titleCannotInjectAHeaderOrARecipient() throws Exception {
        Alert alert = Alerts.alert("evt-1", "Disk full\r\nBcc: evil@attacker.test\r\nX-Injected: yes", Severity.CRITICAL,
                Map.of("host", "db-1\r\nCc: evil@attacker.test"));

        DeliveryResult result = deliver(local(smtpPort()), alert);

        assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(greenMail.getReceivedMessagesForDomain("attacker.test")).isEmpty();
        MimeMessage mail = received[0];
        assertThat(addresses(mail.getAllRecipients())).containsExactly("ops@example.com");
        assertThat(mail.getHeader("Bcc")).isNull();
        assertThat(mail.getHeader("Cc")).isNull();
        assertThat(mail.getHeader("X-Injected")).isNull();
        assertThat(mail.getSubject())
                .isEqualTo("[alert-relay] [FIRING] [critical] Disk full Bcc: evil@attacker.test X-Injected: yes");
        String rawHeaders = GreenMailUtil.getHeaders(mail);
        assertThat(rawHeaders.lines())
                .noneMatch(line -> line.regionMatches(true, 0, "Bcc:", 0, 4))
                .noneMatch(line -> line.regionMatches(true, 0, "Cc:", 0, 3))
                .noneMatch(line -> line.regionMatches(true, 0, "X-Injected:", 0, 11));
    }

    @Test
    void authenticatesWithTheConfiguredUser() {
        DeliveryResult result = deliver(local(smtpPort(), "username", USER, "password", PASSWORD), Alerts.diskFull());

        assertThat(result).isEqualTo(DeliveryResult.delivered());
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void wrongPasswordIsRejectedWithoutThePassword() {
        String wrong = "not-the-" + PASSWORD;

        DeliveryResult result = deliver(local(smtpPort(), "username", USER, "password", wrong), Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).startsWith("authentication failed at 127.0.0.1:" + smtpPort())
                .doesNotContain(wrong).doesNotContain(PASSWORD);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void checkConnectionLogsInAndSendsNothing() {
        try (EmailSink sink = new EmailSink(EmailSinkConfig.from(view(local(smtpPort(), "username", USER, "password",
                PASSWORD))), TestSinkContext.named("ops-mail"), new Properties())) {
            assertThat(sink.checkConnection()).hasValueSatisfying(result -> {
                assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
                assertThat(result.detail()).contains("accepted the connection and the login");
            });
        }
        try (EmailSink sink = new EmailSink(EmailSinkConfig.from(view(local(smtpPort(), "username", USER, "password",
                "not-the-" + PASSWORD))), TestSinkContext.named("ops-mail"), new Properties())) {
            assertThat(sink.checkConnection()).hasValueSatisfying(result -> {
                assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
                assertThat(result.detail()).startsWith("authentication failed").doesNotContain(PASSWORD);
            });
        }
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void serverDownIsRetryable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        DeliveryResult result = deliver(local(closedPort), Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.detail()).startsWith("cannot connect to 127.0.0.1:" + closedPort);
    }

    @Test
    void starttlsIsRequiredNeverSkipped() {
        // GreenMail's plain SMTP does not offer STARTTLS: tls: starttls must refuse to go on in plain text
        DeliveryResult result = deliver(local(smtpPort(), "tls", "starttls", "username", USER, "password", PASSWORD),
                Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).contains("does not offer STARTTLS").doesNotContain(PASSWORD);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void smtpsDeliversOverImplicitTls() {
        Properties trustGreenMailsSelfSignedCertificate = new Properties();
        trustGreenMailsSelfSignedCertificate.setProperty("mail.smtp.ssl.trust", "*");
        trustGreenMailsSelfSignedCertificate.setProperty("mail.smtp.ssl.checkserveridentity", "false");

        DeliveryResult result = deliver(local(smtpsPort(), "tls", "smtps", "username", USER, "password", PASSWORD),
                Alerts.diskFull(), trustGreenMailsSelfSignedCertificate);

        assertThat(result).isEqualTo(DeliveryResult.delivered());
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void smtpsRejectsAnUntrustedCertificate() {
        DeliveryResult result = deliver(local(smtpsPort(), "tls", "smtps"), Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).startsWith("TLS certificate of 127.0.0.1:" + smtpsPort() + " not accepted");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void closeIsIdempotentAndEndsDeliveries() {
        EmailSink sink = new EmailSink(EmailSinkConfig.from(view(local(smtpPort()))), TestSinkContext.named("ops-mail"));

        sink.close();
        sink.close();

        assertThat(sink.deliver(Alerts.diskFull()))
                .isEqualTo(DeliveryResult.retryable("email sink ops-mail is closed"));
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    private static DeliveryResult deliver(Map<String, Object> section, Alert alert) {
        return deliver(section, alert, new Properties());
    }

    private static DeliveryResult deliver(Map<String, Object> section, Alert alert, Properties overrides) {
        try (EmailSink sink = new EmailSink(EmailSinkConfig.from(view(section)), TestSinkContext.named("ops-mail"),
                overrides)) {
            return sink.deliver(alert);
        }
    }

    private static int smtpPort() {
        return greenMail.getSmtp().getPort();
    }

    private static int smtpsPort() {
        return greenMail.getSmtps().getPort();
    }

    private static List<String> addresses(Address[] addresses) {
        return Arrays.stream(addresses).map(a -> ((jakarta.mail.internet.InternetAddress) a).getAddress()).toList();
    }
}
