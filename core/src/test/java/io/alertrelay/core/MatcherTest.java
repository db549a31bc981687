package io.alertrelay.core;

import static io.alertrelay.testing.Alerts.alert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class MatcherTest {
    private final Alert batch = alert("a", "Job late", Severity.WARNING, Map.of("service", "batch", "host", "db-1"));

    @Test
    void equalityAndInequality() {
        assertThat(Matcher.parse("service=batch").matches(batch)).isTrue();
        assertThat(Matcher.parse("service=web").matches(batch)).isFalse();
        assertThat(Matcher.parse("service!=web").matches(batch)).isTrue();
        assertThat(Matcher.parse("service!=batch").matches(batch)).isFalse();
    }

    @Test
    void regexIsAnchoredAsInAlertmanager() {
        assertThat(Matcher.parse("host=~db-.*").matches(batch)).isTrue();
        assertThat(Matcher.parse("host=~\"b-.*\"").matches(batch)).isFalse();
        assertThat(Matcher.parse("host!~web-.*").matches(batch)).isTrue();
        assertThat(Matcher.parse("host!~db-[0-9]").matches(batch)).isFalse();
    }

    @Test
    void severityChannelAndStatusAreFieldsWhenNoLabelHasTheirName() {
        assertThat(Matcher.parse("severity!=critical").matches(batch)).isTrue();
        assertThat(Matcher.parse("severity=warning").matches(batch)).isTrue();
        assertThat(Matcher.parse("status=firing").matches(batch)).isTrue();
        assertThat(Matcher.parse("channel=~alerts:.*").matches(batch)).isTrue();
        Alert labelled = alert("b", "x", Severity.CRITICAL, Map.of("severity", "page"));
        assertThat(Matcher.parse("severity=page").matches(labelled)).isTrue();
    }

    @Test
    void aMissingLabelIsTheEmptyString() {
        assertThat(Matcher.parse("team!=ops").matches(batch)).isTrue();
        assertThat(Matcher.parse("team=\"\"").matches(batch)).isTrue();
        assertThat(Matcher.parse("team=ops").matches(batch)).isFalse();
    }

    @Test
    void quotedValuesAndTheRoundTrip() {
        Matcher quoted = Matcher.parse("summary = \"a \\\"b\\\" c\"");
        assertThat(quoted.value()).isEqualTo("a \"b\" c");
        for (String text : new String[] {"service=batch", "host=~\"db-\\\\d+|web\"", "x!=\"a b\"", "team!~ops.*"}) {
            Matcher parsed = Matcher.parse(text);
            assertThat(Matcher.parse(parsed.toString())).isEqualTo(parsed);
        }
    }

    @Test
    void badMatchersAreRefusedWithAReason() {
        assertThatThrownBy(() -> Matcher.parse("service")).hasMessageContaining("name=value");
        assertThatThrownBy(() -> Matcher.parse("=x")).hasMessageContaining("name=value");
        assertThatThrownBy(() -> Matcher.parse("host=~(")).hasMessageContaining("regular expression");
        assertThatThrownBy(() -> Matcher.parse("1x=y")).hasMessageContaining("label name");
    }
}
