package io.alertrelay.sink.email;

import io.alertrelay.spi.DeliveryResult;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.io.IOException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * Classifies what Jakarta Mail / Angus threw into a {@link DeliveryResult}. SMTP reply codes decide where there is one:
 * 4xx is transient (retryable), 5xx permanent (rejected). Connection failures and timeouts are retryable; bad credentials,
 * a missing STARTTLS and an untrusted certificate are rejected (retrying cannot help until someone fixes the config).
 * Anything unknown is retryable: the pipeline's retry budget bounds it, and an alert is not dropped on a guess.
 *
 * <p>Details quote at most the server's first reply line, one line, bounded; the sink redacts its password from them as
 * a last guard.
 */
final class SmtpFailures {
    static final int MAX_REPLY_CODE_POINTS = 200;
    private static final Pattern LEADING_CODE = Pattern.compile("^\\s*([2-5]\\d\\d)(?:[ -]|$)");
    private static final Pattern GREETING_CODE = Pattern.compile("response: \\s*([2-5]\\d\\d)");
    private static final String NO_STARTTLS = "STARTTLS is required but host does not support STARTTLS";

    private SmtpFailures() {}

    /**
     * @param endpoint {@code host:port}, for the detail
     */
    static DeliveryResult classify(MessagingException e, String endpoint) {
        if (e instanceof AuthenticationFailedException) {
            String reply = firstLine(e.getMessage());
            int code = leadingCode(reply);
            if (code >= 400 && code <= 499) {
                return DeliveryResult.retryable("authentication temporarily refused by " + endpoint + ": " + reply);
            }
            return DeliveryResult.rejected("authentication failed at " + endpoint + (reply.isEmpty() ? "" : ": " + reply));
        }
        if (e instanceof SMTPSendFailedException failed) {
            return byCode(failed.getReturnCode(), verb(failed.getCommand()), e.getMessage(), endpoint);
        }
        if (e instanceof SMTPAddressFailedException failed) {
            return byCode(failed.getReturnCode(), verb(failed.getCommand()), e.getMessage(), endpoint);
        }
        if (e instanceof SMTPSenderFailedException failed) {
            return byCode(failed.getReturnCode(), verb(failed.getCommand()), e.getMessage(), endpoint);
        }
        if (e instanceof SendFailedException failed) {
            return recipients(failed, endpoint);
        }
        if (e instanceof MailConnectException) {
            return DeliveryResult.retryable("cannot connect to " + endpoint + ": " + describeCause(e));
        }
        Throwable certificate = find(e, SmtpFailures::isCertificateProblem);
        if (certificate != null) {
            return DeliveryResult.rejected("TLS certificate of " + endpoint + " not accepted: "
                    + firstLine(certificate.getMessage()));
        }
        if (find(e, t -> t instanceof UnknownHostException) != null) {
            return DeliveryResult.retryable("unknown host in " + endpoint + " (DNS)");
        }
        Throwable io = find(e, t -> t instanceof IOException);
        if (io != null) {
            return DeliveryResult.retryable("I/O error with " + endpoint + ": " + io.getClass().getSimpleName()
                    + (io.getMessage() == null ? "" : ": " + firstLine(io.getMessage())));
        }
        String message = firstLine(e.getMessage());
        if (message.contains(NO_STARTTLS)) {
            return DeliveryResult.rejected(endpoint + " does not offer STARTTLS; tls: starttls never falls back to plain"
                    + " text (use tls: smtps, or tls: none for a trusted local relay)");
        }
        Matcher greeting = GREETING_CODE.matcher(message);
        if (message.startsWith("Got bad greeting") && greeting.find()) {
            return byCode(Integer.parseInt(greeting.group(1)), "connection", message.substring(greeting.start(1)),
                    endpoint);
        }
        int code = leadingCode(message);
        if (code >= 400) {
            return byCode(code, "command", message, endpoint);
        }
        return DeliveryResult.retryable("mail error with " + endpoint + ": " + (message.isEmpty()
                ? e.getClass().getSimpleName() : message));
    }

    /** A plain {@link SendFailedException} (RCPT TO refused): the chained per-address exceptions carry the codes. */
    private static DeliveryResult recipients(SendFailedException e, String endpoint) {
        List<String> permanent = new ArrayList<>();
        List<String> deferred = new ArrayList<>();
        for (SMTPAddressFailedException address : chained(e)) {
            String line = address.getAddress() + ": " + reply(address.getReturnCode(), address.getMessage());
            int code = address.getReturnCode();
            if (code >= 500 && code <= 599) {
                permanent.add(line);
            } else {
                deferred.add(line);
            }
        }
        if (!permanent.isEmpty()) {
            return DeliveryResult.rejected("recipient refused by " + endpoint + ": " + String.join("; ", permanent));
        }
        if (!deferred.isEmpty()) {
            return DeliveryResult.retryable("recipient deferred by " + endpoint + ": " + String.join("; ", deferred));
        }
        if (hasAny(e.getInvalidAddresses())) {
            return DeliveryResult.rejected("invalid recipient at " + endpoint + ": " + join(e.getInvalidAddresses()));
        }
        if (hasAny(e.getValidUnsentAddresses())) {
            return DeliveryResult.retryable("not sent to " + join(e.getValidUnsentAddresses()) + " via " + endpoint
                    + " (" + firstLine(e.getMessage()) + ")");
        }
        return DeliveryResult.retryable("send failed at " + endpoint + ": " + firstLine(e.getMessage()));
    }

    private static DeliveryResult byCode(int code, String what, String serverReply, String endpoint) {
        String detail = "SMTP " + what + " refused by " + endpoint + ": " + reply(code, serverReply);
        if (code >= 400 && code <= 499) {
            return DeliveryResult.retryable(detail);
        }
        if (code >= 500 && code <= 599) {
            return DeliveryResult.rejected(detail);
        }
        // -1: the server closed the connection (EOF); anything else is off-protocol. Neither says "never".
        return DeliveryResult.retryable(detail);
    }

    /** The server's first reply line, with the code in front exactly once. */
    private static String reply(int code, String serverReply) {
        String line = firstLine(serverReply);
        if (code < 0) {
            return line.isEmpty() || line.equals("[EOF]") ? "connection closed by server" : line;
        }
        return leadingCode(line) == code ? line : (code + " " + line).strip();
    }

    /** {@code MAIL FROM}, {@code RCPT TO}, {@code DATA}, {@code end of data}; never the arguments. */
    private static String verb(String command) {
        if (command == null || command.isBlank()) {
            return "command";
        }
        String trimmed = command.strip();
        if (trimmed.equals(".")) {
            return "end of data";
        }
        int colon = trimmed.indexOf(':');
        String verb = colon > 0 ? trimmed.substring(0, colon) : trimmed.split(" ", 2)[0];
        return HeaderText.oneLine(verb, 20);
    }

    static int leadingCode(String text) {
        if (text == null) {
            return -1;
        }
        Matcher matcher = LEADING_CODE.matcher(text);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    /**
     * The first line of a (possibly multi-line) message, without Jakarta Mail's ";\n nested exception is" tail, on one
     * line and bounded.
     */
    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int end = text.length();
        int newline = text.indexOf('\n');
        if (newline >= 0) {
            end = newline;
        }
        int carriageReturn = text.indexOf('\r');
        if (carriageReturn >= 0 && carriageReturn < end) {
            end = carriageReturn;
        }
        String line = text.substring(0, end).strip();
        if (line.endsWith(";")) {
            line = line.substring(0, line.length() - 1).strip();
        }
        return HeaderText.oneLine(line, MAX_REPLY_CODE_POINTS);
    }

    private static String describeCause(MessagingException e) {
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null) {
            return cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage());
        }
        return firstLine(e.getMessage());
    }

    private static boolean isCertificateProblem(Throwable t) {
        return t instanceof CertificateException || t instanceof CertPathValidatorException
                || t instanceof CertPathBuilderException
                // Angus's own host name check (mail.smtp.ssl.checkserveridentity) throws a plain IOException
                || (t instanceof IOException && t.getMessage() != null
                        && t.getMessage().startsWith("Can't verify identity of server"));
    }

    /** The first throwable in the cause chain (MessagingException's next exception is its cause) matching. */
    private static Throwable find(Throwable start, Predicate<Throwable> test) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = start; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (test.test(t)) {
                return t;
            }
        }
        return null;
    }

    private static List<SMTPAddressFailedException> chained(MessagingException e) {
        List<SMTPAddressFailedException> found = new ArrayList<>();
        Map<Exception, Boolean> seen = new IdentityHashMap<>();
        for (Exception next = e.getNextException(); next != null && seen.put(next, Boolean.TRUE) == null; ) {
            if (next instanceof SMTPAddressFailedException address) {
                found.add(address);
            }
            next = next instanceof MessagingException messaging ? messaging.getNextException() : null;
        }
        return found;
    }

    private static boolean hasAny(Address[] addresses) {
        return addresses != null && addresses.length > 0;
    }

    private static String join(Address[] addresses) {
        List<String> names = new ArrayList<>();
        for (Address address : addresses) {
            names.add(HeaderText.oneLine(address.toString(), MAX_REPLY_CODE_POINTS));
        }
        return String.join(", ", names);
    }
}
