package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class GlobTest {
    @Test
    void matchesLikeRedisPatterns() {
        assertThat(Glob.matches("alerts:*", "alerts:prod")).isTrue();
        assertThat(Glob.matches("alerts:*", "alerts:")).isTrue();
        assertThat(Glob.matches("alerts:*", "metrics:prod")).isFalse();
        assertThat(Glob.matches("h?llo", "hello")).isTrue();
        assertThat(Glob.matches("h?llo", "hllo")).isFalse();
        assertThat(Glob.matches("h[ae]llo", "hallo")).isTrue();
        assertThat(Glob.matches("h[ae]llo", "hillo")).isFalse();
        assertThat(Glob.matches("h[^e]llo", "hallo")).isTrue();
        assertThat(Glob.matches("h[^e]llo", "hello")).isFalse();
        assertThat(Glob.matches("h[a-c]llo", "hbllo")).isTrue();
        assertThat(Glob.matches("a\\*b", "a*b")).isTrue();
        assertThat(Glob.matches("a\\*b", "axb")).isFalse();
        assertThat(Glob.matches("*:*:critical", "alerts:db:critical")).isTrue();
        assertThat(Glob.matches("exact", "exact")).isTrue();
        assertThat(Glob.matches("exact", "exactly")).isFalse();
    }
}
