package io.alertrelay.sink.email;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.spi.ConfigView;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The keys of one {@code type: email} sink ({@code sinks.<id>.*}). See {@code docs/sinks/email.md}.
 *
 * @param host          SMTP server host name or address
 * @param port          SMTP server port; default 587, or 465 when {@code tls: smtps}
 * @param tls           how the connection is protected; default {@link Tls#STARTTLS} (required, no plaintext fallback)
 * @param username      SMTP AUTH user, if the server needs one (given together with {@code password})
 * @param password      SMTP AUTH password; sensitive, never printed
 * @param from          the sender as written ({@code alerts@example.com} or {@code Alert Relay <alerts@example.com>});
 *                      strictly parsed
 * @param to            the recipients, each a single strictly parsed address
 * @param subjectPrefix put in front of every subject; default {@code [alert-relay]}; may be empty
 * @param timeout       connect, read and write timeout of the SMTP connection; default 10s
 */
public record EmailSinkConfig(
        String host,
        int port,
        Tls tls,
        Optional<String> username,
        Optional<String> password,
        String from,
        List<String> to,
        String subjectPrefix,
        Duration timeout) {

    public static final int DEFAULT_PORT = 587;
    public static final int DEFAULT_SMTPS_PORT = 465;
    public static final String DEFAULT_SUBJECT_PREFIX = "[alert-relay]";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

    /** How the SMTP connection is protected. */
    public enum Tls {
        /** Plain connection upgraded with STARTTLS; the send fails if the server does not offer it (default). */
        STARTTLS,
        /** TLS from the first byte ("implicit TLS", SMTPS, usually port 465). */
        SMTPS,
        /** No TLS at all: credentials and alerts travel in clear text. Local relays and test servers only. */
        NONE
    }

    public EmailSinkConfig {
        requireNonNull(host, "host is null");
        requireNonNull(tls, "tls is null");
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
        requireNonNull(from, "from is null");
        to = List.copyOf(requireNonNull(to, "to is null"));
        requireNonNull(subjectPrefix, "subjectPrefix is null");
        requireNonNull(timeout, "timeout is null");
    }

    /** Reads and validates {@code config}, reporting every problem at once, each under its full key. */
    public static EmailSinkConfig from(ConfigView config) {
        ConfigBinder c = new ConfigBinder(config);
        ConfigBinder.Required<String> host = c.required("host", EmailSinkConfig::parseHost);
        Tls tls = c.optional("tls", Parsers.enumValue(Tls.class), Tls.STARTTLS);
        Optional<Integer> port = c.optional("port", Parsers::positiveInt);
        port.ifPresent(p -> c.check(p <= 65535, "port", "must be at most 65535"));
        boolean usernameGiven = c.isPresent("username");
        Optional<String> username = c.optional("username", EmailSinkConfig::parseUsername);
        boolean passwordGiven = c.isPresent("password");
        Optional<String> password = c.secret("password", EmailSinkConfig::parsePassword);
        ConfigBinder.Required<String> from = c.required("from", EmailSinkConfig::parseAddress);

        int problemsBeforeTo = c.problems().size();
        List<String> to = c.list("to", EmailSinkConfig::parseAddress);
        if (to.isEmpty() && c.problems().size() == problemsBeforeTo) {
            c.problem("to", "is required (a list of one or more addresses)");
        }

        String subjectPrefix = c.optional("subject-prefix", EmailSinkConfig::parseSubjectPrefix, DEFAULT_SUBJECT_PREFIX);
        Duration timeout = c.optional("timeout", Parsers::duration, DEFAULT_TIMEOUT);
        c.check(!timeout.isZero() && !timeout.isNegative() && timeout.compareTo(MAX_TIMEOUT) <= 0, "timeout",
                "must be more than 0 and at most 5m");

        // presence checks only (a given but invalid value counts as given): the password's value is never looked at
        c.check(!passwordGiven || usernameGiven, "password", "requires username");
        c.check(!usernameGiven || passwordGiven, "username", "requires password");

        c.throwIfInvalid();
        int effectivePort = port.orElse(tls == Tls.SMTPS ? DEFAULT_SMTPS_PORT : DEFAULT_PORT);
        return new EmailSinkConfig(host.get(), effectivePort, tls, username, password, from.get(), to, subjectPrefix,
                timeout);
    }

    /** Whether the sink logs in (SMTP AUTH). */
    public boolean authenticates() {
        return username.isPresent() && password.isPresent();
    }

    @Override
    public String toString() {
        return "EmailSinkConfig[host=" + host + ", port=" + port + ", tls=" + tls + ", username=" + username.orElse("")
                + ", password=" + (password.isPresent() ? "****" : "") + ", from=" + from + ", to=" + to
                + ", subjectPrefix=" + subjectPrefix + ", timeout=" + timeout + "]";
    }

    private static String parseHost(String value) {
        String host = value.trim();
        if (host.isEmpty()) {
            throw new IllegalArgumentException("must not be blank");
        }
        for (int i = 0; i < host.length(); i++) {
            char ch = host.charAt(i);
            if (ch <= ' ' || ch >= 0x7f || ch == '/' || ch == '@') {
                throw new IllegalArgumentException("is not a host name or address");
            }
        }
        return host;
    }

    private static String parseUsername(String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (hasControlCharacter(value)) {
            throw new IllegalArgumentException("must not contain line breaks or control characters");
        }
        return value;
    }

    /** Messages never quote the value; the binder does not either for a sensitive key. */
    private static String parsePassword(String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (hasControlCharacter(value)) {
            throw new IllegalArgumentException("must not contain line breaks or control characters");
        }
        return value;
    }

    private static String parseSubjectPrefix(String value) {
        if (hasControlCharacter(value)) {
            throw new IllegalArgumentException("must not contain line breaks or control characters");
        }
        return value.strip();
    }

    /**
     * One mailbox, parsed strictly ({@code new InternetAddress(value, true)}); no groups, no line breaks, an ASCII
     * address part (internationalized addresses would need SMTPUTF8, which the sink does not enable).
     */
    static String parseAddress(String value) {
        String trimmed = value.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("must not be blank");
        }
        if (hasControlCharacter(trimmed)) {
            throw new IllegalArgumentException("is not a valid email address (contains a line break or control character)");
        }
        InternetAddress parsed;
        try {
            parsed = new InternetAddress(trimmed, true);
        } catch (AddressException e) {
            String reason = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
            throw new IllegalArgumentException("is not a valid email address" + reason);
        }
        if (parsed.isGroup()) {
            throw new IllegalArgumentException("is a group; give one address per entry");
        }
        String address = parsed.getAddress();
        if (address == null || address.indexOf('@') <= 0) {
            throw new IllegalArgumentException("is not a valid email address (missing local part or @domain)");
        }
        for (int i = 0; i < address.length(); i++) {
            if (address.charAt(i) >= 0x7f) {
                throw new IllegalArgumentException("is not an ASCII email address (internationalized addresses are not supported)");
            }
        }
        return trimmed;
    }

    static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (HeaderText.isForbidden(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
