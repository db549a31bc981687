package io.alertrelay.sink.email;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailConnectException;
import org.eclipse.angus.mail.util.SocketConnectException;
import org.junit.jupiter.api.Test;

/** The classifier on exceptions built the way Angus builds them (see SMTPTransport). */
class SmtpFailuresTest {
    private static final String AT = "smtp.example.com:587";

    @Test
    void sendFailedByReplyCode() throws Exception {
        assertThat(classify(sendFailed("MAIL FROM:<alerts@example.com>", 451, "451 4.3.0 Try again later\n")))
                .isEqualTo(DeliveryResult.retryable("SMTP MAIL FROM refused by " + AT + ": 451 4.3.0 Try again later"));
        assertThat(classify(sendFailed(".", 554, "554 5.7.1 Message rejected as spam\n")))
                .isEqualTo(DeliveryResult.rejected("SMTP end of data refused by " + AT + ": 554 5.7.1 Message rejected as spam"));
        assertThat(classify(sendFailed("DATA", 421, "421 4.4.2 shutting down\n")).outcome()).isEqualTo(Outcome.RETRYABLE);
    }

    @Test
    void connectionClosedMidTransactionIsRetryable() throws Exception {
        assertThat(classify(sendFailed("DATA", -1, "[EOF]")))
                .isEqualTo(DeliveryResult.retryable("SMTP DATA refused by " + AT + ": connection closed by server"));
    }

    @Test
    void addressFailedByReplyCode() throws Exception {
        InternetAddress ops = new InternetAddress("ops@example.com");
        assertThat(classify(new SMTPAddressFailedException(ops, "RCPT TO:<ops@example.com>", 452, "452 4.2.2 Mailbox full")).outcome())
                .isEqualTo(Outcome.RETRYABLE);
        assertThat(classify(new SMTPAddressFailedException(ops, "RCPT TO:<ops@example.com>", 550, "550 5.1.1 User unknown")))
                .isEqualTo(DeliveryResult.rejected("SMTP RCPT TO refused by " + AT + ": 550 5.1.1 User unknown"));
    }

    @Test
    void refusedRecipientsChainedUnderSendFailed() throws Exception {
        InternetAddress ops = new InternetAddress("ops@example.com");
        InternetAddress oncall = new InternetAddress("oncall@example.com");

        SendFailedException deferred = invalidAddresses(new Address[0], new Address[] {ops},
                new SMTPAddressFailedException(ops, "RCPT TO:<ops@example.com>", 451, "451 4.7.1 Greylisted, retry later"));
        assertThat(classify(deferred)).isEqualTo(DeliveryResult.retryable(
                "recipient deferred by " + AT + ": ops@example.com: 451 4.7.1 Greylisted, retry later"));

        SMTPAddressFailedException first = new SMTPAddressFailedException(ops, "RCPT TO:<ops@example.com>", 451, "451 later");
        first.setNextException(new SMTPAddressFailedException(oncall, "RCPT TO:<oncall@example.com>", 550, "550 no such user"));
        SendFailedException mixed = invalidAddresses(new Address[] {oncall}, new Address[] {ops}, first);
        assertThat(classify(mixed)).isEqualTo(DeliveryResult.rejected(
                "recipient refused by " + AT + ": oncall@example.com: 550 no such user"));
    }

    @Test
    void sendFailedWithOnlyValidUnsentAddressesIsRetryable() throws Exception {
        Address[] ops = {new InternetAddress("ops@example.com")};
        assertThat(classify(new SendFailedException("Invalid Addresses", null, null, ops, null)).outcome())
                .isEqualTo(Outcome.RETRYABLE);
        assertThat(classify(new SendFailedException("Invalid Addresses", null, null, null, ops)).outcome())
                .isEqualTo(Outcome.REJECTED);
    }

    @Test
    void authenticationFailureIsRejectedUnlessTemporary() {
        assertThat(classify(new AuthenticationFailedException("535 5.7.8 Error: authentication failed\n")))
                .isEqualTo(DeliveryResult.rejected("authentication failed at " + AT + ": 535 5.7.8 Error: authentication failed"));
        assertThat(classify(new AuthenticationFailedException("No authentication mechanisms supported by both server and client")).outcome())
                .isEqualTo(Outcome.REJECTED);
        assertThat(classify(new AuthenticationFailedException("454 4.7.0 Temporary authentication failure")).outcome())
                .isEqualTo(Outcome.RETRYABLE);
    }

    @Test
    void connectFailureAndTimeoutsAreRetryable() {
        MailConnectException refused = new MailConnectException(new SocketConnectException("Using socket factory",
                new ConnectException("Connection refused"), "smtp.example.com", 587, 10_000));
        assertThat(classify(refused).outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(classify(refused).detail()).startsWith("cannot connect to " + AT);

        MessagingException readTimeout = new MessagingException("Exception reading response",
                new SocketTimeoutException("Read timed out"));
        assertThat(classify(readTimeout))
                .isEqualTo(DeliveryResult.retryable("I/O error with " + AT + ": SocketTimeoutException: Read timed out"));

        MessagingException unknownHost = new MessagingException("Unknown SMTP host: smtp.example.com",
                new UnknownHostException("smtp.example.com"));
        assertThat(classify(unknownHost).outcome()).isEqualTo(Outcome.RETRYABLE);
    }

    @Test
    void untrustedCertificateIsRejected() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
        handshake.initCause(new CertificateException("unable to find valid certification path to requested target"));
        MessagingException e = new MessagingException("Could not convert socket to TLS", handshake);

        DeliveryResult result = classify(e);

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).startsWith("TLS certificate of " + AT + " not accepted");

        SSLHandshakeException reset = new SSLHandshakeException("Remote host terminated the handshake");
        assertThat(classify(new MessagingException("Could not connect to SMTP host", reset)).outcome())
                .isEqualTo(Outcome.RETRYABLE);
    }

    @Test
    void missingStartTlsIsRejected() {
        DeliveryResult result = classify(new MessagingException("STARTTLS is required but host does not support STARTTLS"));

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).startsWith(AT + " does not offer STARTTLS");
    }

    @Test
    void badGreetingByCode() {
        assertThat(classify(new MessagingException(
                "Got bad greeting from SMTP host: smtp.example.com, port: 587, response: 421 4.3.2 busy, try later")))
                .isEqualTo(DeliveryResult.retryable("SMTP connection refused by " + AT + ": 421 4.3.2 busy, try later"));
        assertThat(classify(new MessagingException(
                "Got bad greeting from SMTP host: smtp.example.com, port: 587, response: 554 5.7.1 go away")).outcome())
                .isEqualTo(Outcome.REJECTED);
    }

    @Test
    void plainReplyMessagesByLeadingCode() {
        assertThat(classify(new MessagingException("454 4.7.0 TLS not available due to local problem")).outcome())
                .isEqualTo(Outcome.RETRYABLE);
        assertThat(classify(new MessagingException("501 5.5.4 Syntax error in HELO")).outcome())
                .isEqualTo(Outcome.REJECTED);
    }

    @Test
    void unknownFailureIsRetryable() {
        assertThat(classify(new MessagingException("something odd")))
                .isEqualTo(DeliveryResult.retryable("mail error with " + AT + ": something odd"));
        assertThat(classify(new MessagingException()).outcome()).isEqualTo(Outcome.RETRYABLE);
    }

    @Test
    void detailQuotesOnlyTheFirstLineOnOneLineAndBounded() throws Exception {
        String reply = "550-5.7.1 first line\r\n550-Bcc: injected\r\n550 5.7.1 last";
        assertThat(classify(sendFailed("DATA", 550, reply)).detail())
                .isEqualTo("SMTP DATA refused by " + AT + ": 550-5.7.1 first line");

        String longReply = "550 " + "x".repeat(1000);
        assertThat(classify(sendFailed("DATA", 550, longReply)).detail()).hasSizeLessThan(300).endsWith("\u2026");

        String withControls = "550 5.7.1 bad\u0000\u2028thing";
        assertThat(classify(sendFailed("DATA", 550, withControls)).detail()).endsWith(": 550 5.7.1 bad thing");
    }

    @Test
    void leadingCode() {
        assertThat(SmtpFailures.leadingCode("535 5.7.8 nope")).isEqualTo(535);
        assertThat(SmtpFailures.leadingCode("250-ok")).isEqualTo(250);
        assertThat(SmtpFailures.leadingCode("5355 x")).isEqualTo(-1);
        assertThat(SmtpFailures.leadingCode("Authentication failed")).isEqualTo(-1);
        assertThat(SmtpFailures.leadingCode(null)).isEqualTo(-1);
    }

    private static DeliveryResult classify(MessagingException e) {
        return SmtpFailures.classify(e, AT);
    }

    private static SMTPSendFailedException sendFailed(String command, int code, String reply) throws Exception {
        return new SMTPSendFailedException(command, code, reply, null, null,
                new Address[] {new InternetAddress("ops@example.com")}, null);
    }

    /** As SMTPTransport.rcptTo: "Invalid Addresses" with the per-address exceptions chained. */
    private static SendFailedException invalidAddresses(Address[] invalid, Address[] validUnsent, Exception chain) {
        return new SendFailedException("Invalid Addresses", chain, null, validUnsent, invalid);
    }
}
