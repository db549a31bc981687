package io.alertrelay.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class EnvSubstitutionTest {
    private final Map<String, String> env = Map.of("SLACK_WEBHOOK_URL", "https://hooks.example/T/B/SECRET", "PORT", "9");

    @Test
    void substitutesVariablesDefaultsAndEscapes() {
        EnvSubstitution substitution = new EnvSubstitution(env::get);
        Map<String, Object> result = substitution.apply(Map.of("sinks", Map.of("ops", Map.of(
                "webhook-url", "${SLACK_WEBHOOK_URL}",
                "port", "${PORT}0",
                "fallback", "${UNSET:-default}",
                "literal", "$${NOT_A_VAR}",
                "list", List.of("${PORT}", 3)))));
        assertThat(substitution.problems()).isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> ops = (Map<String, Object>) ((Map<String, Object>) result.get("sinks")).get("ops");
        assertThat(ops).containsEntry("webhook-url", "https://hooks.example/T/B/SECRET")
                .containsEntry("port", "90")
                .containsEntry("fallback", "default")
                .containsEntry("literal", "${NOT_A_VAR}")
                .containsEntry("list", List.of("9", 3));
    }

    @Test
    void anUnsetVariableIsAProblemNamingKeyAndVariable() {
        EnvSubstitution substitution = new EnvSubstitution(name -> null);
        substitution.apply(Map.of("sinks", Map.of("ops", Map.of("webhook-url", "${SLACK_WEBHOOK_URL}"))));
        assertThat(substitution.problems())
                .containsExactly("sinks.ops.webhook-url: environment variable SLACK_WEBHOOK_URL is not set");
    }

    @Test
    void anEnvPrefixedReferenceIsAProblemNotALiteralPassword() {
        EnvSubstitution substitution = new EnvSubstitution(name -> "secret");
        Map<String, Object> result = substitution.apply(Map.of("sinks", Map.of("mail", Map.of(
                "password", "${ENV:SMTP_PASSWORD}"))));
        assertThat(substitution.problems()).containsExactly(
                "sinks.mail.password: ${ENV:SMTP_PASSWORD} is not supported; write ${SMTP_PASSWORD}");
        assertThat(result.toString()).doesNotContain("ENV:");
    }

    @Test
    void anyOtherReferenceFormIsAProblemThatDoesNotQuoteTheValue() {
        EnvSubstitution substitution = new EnvSubstitution(name -> "x");
        substitution.apply(Map.of("a", "p4ss${word:=x}", "b", "unclosed ${NAME", "c", "$${ENV:LITERAL}"));
        assertThat(substitution.problems()).containsExactlyInAnyOrder(
                "a: has a '${' that is not ${NAME} or ${NAME:-default} (write $${ for a literal ${)",
                "b: has a '${' that is not ${NAME} or ${NAME:-default} (write $${ for a literal ${)");
        assertThat(substitution.problems().toString()).doesNotContain("p4ss");
    }
}
