package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class StreamEntriesTest {
    @Test
    void thePayloadIsTheConfiguredFieldAndAnEntryWithoutItIsPoison() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("event", "{\"title\":\"disk\"}");
        fields.put("source", "svc");
        assertThat(StreamEntries.payload(fields, "event")).contains("{\"title\":\"disk\"}");
        assertThat(StreamEntries.payload(fields, "payload")).isEmpty();
        assertThat(StreamEntries.missingFieldDetail("1-0", fields, "payload"))
                .isEqualTo("stream entry 1-0 has no field 'payload' (fields: event, source)")
                .doesNotContain("disk");   // field names, never values
    }

    @Test
    void entriesDeliveredTooOftenAreGivenUpUnlessInFlightHere() {
        List<StreamEntries.Pending> pending = List.of(new StreamEntries.Pending("1-0", "a", 3),
                new StreamEntries.Pending("2-0", "a", 11), new StreamEntries.Pending("3-0", "b", 10),
                new StreamEntries.Pending("4-0", "me", 50));
        assertThat(StreamEntries.overDelivered(pending, 10, Set.of("4-0")))
                .extracting(StreamEntries.Pending::id).containsExactly("2-0");
        assertThat(StreamEntries.overDelivered(pending, 1, Set.of())).extracting(StreamEntries.Pending::id)
                .containsExactly("1-0", "2-0", "3-0", "4-0");
    }

    @Test
    void lagFromXinfoGroupsInRespTwoAndRespThreeShapes() {
        List<Object> resp2 = List.of(
                Arrays.asList("name", "other", "consumers", 1L, "pending", 0L, "last-delivered-id", "5-0",
                        "entries-read", 5L, "lag", 0L),
                Arrays.asList("name", "alert-relay", "consumers", 2L, "pending", 7L, "last-delivered-id", "3-0",
                        "entries-read", 3L, "lag", 42L));
        assertThat(StreamEntries.lag(resp2, "alert-relay")).hasValue(42);
        Map<Object, Object> group = new LinkedHashMap<>();
        group.put("name", "alert-relay".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        group.put("lag", 5L);
        assertThat(StreamEntries.lag(List.of(group), "alert-relay")).hasValue(5);
    }

    @Test
    void lagIsUnknownWhenRedisCannotTellOrTheGroupIsMissing() {
        List<Object> nilLag = List.of(Arrays.asList("name", "alert-relay", "entries-read", null, "lag", null));
        assertThat(StreamEntries.lag(nilLag, "alert-relay")).isEmpty();
        List<Object> redis6 = List.of(Arrays.asList("name", "alert-relay", "pending", 2L));
        assertThat(StreamEntries.lag(redis6, "alert-relay")).isEmpty();
        assertThat(StreamEntries.lag(List.of(), "alert-relay")).isEmpty();
        assertThat(StreamEntries.lag(null, "alert-relay")).isEmpty();
    }
}
