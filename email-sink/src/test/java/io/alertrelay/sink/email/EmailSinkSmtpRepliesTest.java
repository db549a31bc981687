package io.alertrelay.sink.email;

import static io.alertrelay.sink.email.TestConfigs.local;
import static io.alertrelay.sink.email.TestConfigs.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.TestSinkContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replies GreenMail does not give, from a scripted SMTP server: 4xx is retryable, 5xx rejected. */
class EmailSinkSmtpRepliesTest {
    private static final String PASSWORD = "Tr0ub4dor&3";

    @Test
    void acceptedMailIsDelivered() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().start()) {
            assertThat(deliver(local(server.port()))).isEqualTo(DeliveryResult.delivered());

            // the server records a command before it answers; QUIT is not awaited (quitwait=false), so not asserted
            List<String> commands = server.commands();
            assertThat(commands.get(0)).startsWith("EHLO ");
            assertThat(commands.subList(1, 4))
                    .containsExactly("MAIL FROM:<alerts@example.com>", "RCPT TO:<ops@example.com>", "DATA");
            assertThat(commands.get(4)).matches("\\. \\(\\d+ lines\\)");
        }
    }

    @Test
    void greylistedRecipientIsRetryableAndNothingIsSent() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on("RCPT TO:", "451 4.7.1 Greylisted, please try again later").start()) {
            DeliveryResult result = deliver(local(server.port()));

            assertThat(result).isEqualTo(DeliveryResult.retryable("recipient deferred by 127.0.0.1:" + server.port()
                    + ": ops@example.com: 451 4.7.1 Greylisted, please try again later"));
            assertThat(server.received("DATA")).isFalse();
        }
    }

    @Test
    void unknownRecipientIsRejected() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on("RCPT TO:", "550 5.1.1 <ops@example.com>: Recipient address rejected: User unknown").start()) {
            DeliveryResult result = deliver(local(server.port()));

            assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
            assertThat(result.detail()).isEqualTo("recipient refused by 127.0.0.1:" + server.port()
                    + ": ops@example.com: 550 5.1.1 <ops@example.com>: Recipient address rejected: User unknown");
            assertThat(server.received("DATA")).isFalse();
        }
    }

    @Test
    void oneRefusedRecipientOfTwoRejectsTheWholeMailSoARetryCannotDuplicate() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on("RCPT TO:<gone@", "550 5.1.1 User unknown").start()) {
            DeliveryResult result = deliver(local(server.port(), "to", List.of("ops@example.com", "gone@example.com")));

            assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
            assertThat(result.detail()).contains("gone@example.com: 550 5.1.1 User unknown");
            assertThat(server.received("DATA")).as("sendpartial=false: all or nothing").isFalse();
        }
    }

    @Test
    void senderRefusalByCode() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on("MAIL FROM:", "452 4.3.1 Insufficient system storage").start()) {
            assertThat(deliver(local(server.port()))).isEqualTo(DeliveryResult.retryable("SMTP MAIL FROM refused by 127.0.0.1:"
                    + server.port() + ": 452 4.3.1 Insufficient system storage"));
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on("MAIL FROM:", "553 5.7.1 Sender address rejected: not owned by user").start()) {
            assertThat(deliver(local(server.port())).outcome()).isEqualTo(Outcome.REJECTED);
        }
    }

    @Test
    void endOfDataRefusalByCode() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on(".", "554 5.7.1 Message rejected: content policy").start()) {
            assertThat(deliver(local(server.port()))).isEqualTo(DeliveryResult.rejected("SMTP end of data refused by 127.0.0.1:"
                    + server.port() + ": 554 5.7.1 Message rejected: content policy"));
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on(".", "451 4.3.0 Temporary queue failure").start()) {
            assertThat(deliver(local(server.port())).outcome()).isEqualTo(Outcome.RETRYABLE);
        }
    }

    @Test
    void busyGreetingIsRetryableAndRefusingGreetingRejected() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .greeting("421 4.3.2 Too many connections, try later").start()) {
            assertThat(deliver(local(server.port()))).isEqualTo(DeliveryResult.retryable("SMTP connection refused by 127.0.0.1:"
                    + server.port() + ": 421 4.3.2 Too many connections, try later"));
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .greeting("554 5.7.1 No SMTP service here").start()) {
            assertThat(deliver(local(server.port())).outcome()).isEqualTo(Outcome.REJECTED);
        }
    }

    @Test
    void serverThatNeverGreetsTimesOutRetryably() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().greeting(null).start()) {
            DeliveryResult result = deliver(local(server.port(), "timeout", "300ms"));

            assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
            assertThat(result.detail()).contains("SocketTimeoutException");
        }
    }

    @Test
    void hangUpMidTransactionIsRetryable() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on("DATA", ScriptedSmtpServer.HANG_UP).start()) {
            DeliveryResult result = deliver(local(server.port()));

            assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        }
    }

    @Test
    void badCredentialsAreRejectedAndThePasswordNeverEchoed() throws Exception {
        // a careless server that quotes what it was given must still not leak the password into the detail
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on("EHLO", "250-scripted.test\r\n250 AUTH PLAIN")
                .on("AUTH", "535 5.7.8 Authentication credentials invalid (got " + PASSWORD + ")").start()) {
            DeliveryResult result = deliver(local(server.port(), "username", "relay", "password", PASSWORD));

            assertThat(result).isEqualTo(DeliveryResult.rejected("authentication failed at 127.0.0.1:" + server.port()
                    + ": 535 5.7.8 Authentication credentials invalid (got ****)"));
            assertThat(server.received("AUTH PLAIN")).isTrue();
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void temporaryAuthenticationFailureIsRetryable() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .on("EHLO", "250-scripted.test\r\n250 AUTH PLAIN")
                .on("AUTH", "454 4.7.0 Temporary authentication failure").start()) {
            DeliveryResult result = deliver(local(server.port(), "username", "relay", "password", PASSWORD));

            assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
            assertThat(result.detail()).doesNotContain(PASSWORD);
        }
    }

    private static DeliveryResult deliver(Map<String, Object> section) {
        try (EmailSink sink = new EmailSink(EmailSinkConfig.from(view(section)), TestSinkContext.named("ops-mail"))) {
            return sink.deliver(Alerts.diskFull());
        }
    }
}
