package io.alertrelay.sink.email;

import static io.alertrelay.sink.email.TestConfigs.minimal;
import static io.alertrelay.sink.email.TestConfigs.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.sink.email.EmailSinkConfig.Tls;
import io.alertrelay.spi.ConfigurationException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmailSinkConfigTest {
    private static final String SECRET = "correct-horse-battery-staple";

    @Test
    void defaults() {
        EmailSinkConfig config = EmailSinkConfig.from(view(minimal()));

        assertThat(config).isEqualTo(new EmailSinkConfig("smtp.example.com", 587, Tls.STARTTLS, Optional.empty(),
                Optional.empty(), "alerts@example.com", List.of("ops@example.com"), "[alert-relay]", Duration.ofSeconds(10)));
        assertThat(config.authenticates()).isFalse();
    }

    @Test
    void smtpsDefaultsToPort465() {
        assertThat(EmailSinkConfig.from(view(minimal("tls", "smtps"))).port()).isEqualTo(465);
        assertThat(EmailSinkConfig.from(view(minimal("tls", "smtps", "port", 2465))).port()).isEqualTo(2465);
        assertThat(EmailSinkConfig.from(view(minimal("tls", "none"))).port()).isEqualTo(587);
    }

    @Test
    void fullMapping() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("host", "mail.example.org");
        section.put("port", 2525);
        section.put("tls", "smtps");
        section.put("username", "relay");
        section.put("password", SECRET);
        section.put("from", "Alert Relay <alerts@example.org>");
        section.put("to", List.of("ops@example.org", "\"On Call\" <oncall@example.org>"));
        section.put("subject-prefix", "[prod]");
        section.put("timeout", "30s");
        TreeConfigView root = TestConfigs.root(section);

        EmailSinkConfig config = EmailSinkConfig.from(view(root));

        assertThat(config).isEqualTo(new EmailSinkConfig("mail.example.org", 2525, Tls.SMTPS, Optional.of("relay"),
                Optional.of(SECRET), "Alert Relay <alerts@example.org>",
                List.of("ops@example.org", "\"On Call\" <oncall@example.org>"), "[prod]", Duration.ofSeconds(30)));
        assertThat(config.authenticates()).isTrue();
        assertThat(root.unusedKeys()).as("every key is read").isEmpty();
    }

    @Test
    void tlsNoneAndEmptyPrefix() {
        EmailSinkConfig config = EmailSinkConfig.from(view(minimal("tls", "none", "subject-prefix", "")));

        assertThat(config.tls()).isEqualTo(Tls.NONE);
        assertThat(config.subjectPrefix()).isEmpty();
    }

    @Test
    void singleRecipientMayBeAScalar() {
        assertThat(EmailSinkConfig.from(view(minimal("to", "ops@example.com"))).to()).containsExactly("ops@example.com");
    }

    @Test
    void missingHostFromAndToAreEachNamedWithTheFullKey() {
        assertThat(problems(Map.of())).containsExactly(
                "sinks.ops-mail.host: is required",
                "sinks.ops-mail.from: is required",
                "sinks.ops-mail.to: is required (a list of one or more addresses)");
    }

    @Test
    void emptyRecipientListIsRequired() {
        assertThat(problems(minimal("to", List.of())))
                .containsExactly("sinks.ops-mail.to: is required (a list of one or more addresses)");
    }

    @Test
    void badAddressesNameTheirKey() {
        assertThat(problems(minimal("from", "not an address", "to", List.of("ops@example.com", "ops@"))))
                .containsExactly(
                        "sinks.ops-mail.from: 'not an address' is not a valid email address (Local address contains control or whitespace)",
                        "sinks.ops-mail.to[1]: 'ops@' is not a valid email address (Missing domain)");
    }

    @Test
    void addressMustBeOneMailboxWithoutLineBreaks() {
        assertThat(problems(minimal("to", List.of("a@example.com, b@example.com")))).singleElement().asString()
                .startsWith("sinks.ops-mail.to[0]: 'a@example.com, b@example.com' is not a valid email address");
        assertThat(problems(minimal("from", "alerts@example.com\r\nBcc: evil@example.com"))).singleElement().asString()
                .startsWith("sinks.ops-mail.from: ")
                .endsWith("is not a valid email address (contains a line break or control character)");
        assertThat(problems(minimal("to", List.of("team: a@example.com, b@example.com;")))).singleElement().asString()
                .isEqualTo("sinks.ops-mail.to[0]: 'team: a@example.com, b@example.com;' is a group; give one address per entry");
        assertThat(problems(minimal("from", "root"))).singleElement().asString()
                .startsWith("sinks.ops-mail.from: 'root' is not a valid email address");
    }

    @Test
    void internationalizedAddressIsRefused() {
        assertThat(problems(minimal("to", List.of("j\u00f6rg@example.com")))).singleElement().asString()
                .startsWith("sinks.ops-mail.to[0]: ")
                .contains("is not");
    }

    @Test
    void passwordRequiresUsernameAndTheValueIsNeverShown() {
        ConfigurationException e = failure(minimal("password", SECRET));

        assertThat(e.problems()).containsExactly("sinks.ops-mail.password: requires username");
        assertThat(e.getMessage()).doesNotContain(SECRET);
    }

    @Test
    void usernameRequiresPassword() {
        assertThat(problems(minimal("username", "relay"))).containsExactly("sinks.ops-mail.username: requires password");
    }

    @Test
    void invalidPasswordIsReportedWithoutItsValue() {
        ConfigurationException e = failure(minimal("username", "relay", "password", SECRET + "\n"));

        assertThat(e.problems()).containsExactly("sinks.ops-mail.password: value must not contain line breaks or"
                + " control characters (value not shown: sensitive)");
        assertThat(e.getMessage()).doesNotContain(SECRET);
    }

    @Test
    void toStringHidesThePassword() {
        EmailSinkConfig config = EmailSinkConfig.from(view(minimal("username", "relay", "password", SECRET)));

        assertThat(config.toString()).doesNotContain(SECRET).contains("password=****").contains("username=relay");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("host", "smtp example com");
        section.put("port", 70000);
        section.put("tls", "ssl");
        section.put("password", SECRET);
        section.put("from", "alerts");
        section.put("to", List.of("ops@example.com", "nobody"));
        section.put("subject-prefix", "[a]\n[b]");
        section.put("timeout", "10 seconds");

        ConfigurationException e = failure(section);

        assertThat(e.problems()).containsExactly(
                "sinks.ops-mail.host: 'smtp example com' is not a host name or address",
                "sinks.ops-mail.tls: 'ssl' is not one of [starttls, smtps, none]",
                "sinks.ops-mail.port: must be at most 65535",
                "sinks.ops-mail.from: 'alerts' is not a valid email address (Missing final '@domain')",
                "sinks.ops-mail.to[1]: 'nobody' is not a valid email address (Missing final '@domain')",
                "sinks.ops-mail.subject-prefix: '[a]\n[b]' must not contain line breaks or control characters",
                "sinks.ops-mail.timeout: '10 seconds' is not a duration (e.g. 500ms, 10s, 2m)",
                "sinks.ops-mail.password: requires username");
        assertThat(e.getMessage()).startsWith("Invalid configuration (8 problems):").doesNotContain(SECRET);
    }

    @Test
    void timeoutMustBePositiveAndBounded() {
        assertThat(problems(minimal("timeout", "0"))).containsExactly("sinks.ops-mail.timeout: must be more than 0 and at most 5m");
        assertThat(problems(minimal("timeout", "1h"))).containsExactly("sinks.ops-mail.timeout: must be more than 0 and at most 5m");
        assertThat(problems(minimal("port", 0))).containsExactly("sinks.ops-mail.port: '0' must be a positive integer");
    }

    @Test
    void listWhereAValueBelongsIsNamed() {
        // (core's ConfigBinder.required then adds "is required" as well; only the first matters here)
        assertThat(problems(minimal("host", List.of("a", "b"))))
                .startsWith("sinks.ops-mail.host: must be a single value, not a list");
    }

    private static List<String> problems(Map<String, ?> section) {
        return failure(section).problems();
    }

    private static ConfigurationException failure(Map<String, ?> section) {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> EmailSinkConfig.from(view(section)));
        assertThat(e).as("expected a ConfigurationException").isNotNull();
        return e;
    }
}
