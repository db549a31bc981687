package io.alertrelay.watchdog.streams;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class FormatsTest {
    @Test
    void durationsShowTheTwoLargestUnits() {
        assertThat(Formats.duration(0)).isEqualTo("0ms");
        assertThat(Formats.duration(850)).isEqualTo("850ms");
        assertThat(Formats.duration(1_000)).isEqualTo("1s");
        assertThat(Formats.duration(290_000)).isEqualTo("4m 50s");
        assertThat(Formats.duration(1_740_000)).isEqualTo("29m");
        assertThat(Formats.duration(1_872_400)).isEqualTo("31m 12s");
        assertThat(Formats.duration(3_605_000)).isEqualTo("1h");
        assertThat(Formats.duration(3_900_000)).isEqualTo("1h 5m");
        assertThat(Formats.duration(183_600_000)).isEqualTo("2d 3h");
    }

    @Test
    void numbersKeepOnlyUsefulDigits() {
        assertThat(Formats.rate(0)).isEqualTo("0");
        assertThat(Formats.rate(0.25)).isEqualTo("0.25");
        assertThat(Formats.rate(2.5)).isEqualTo("2.5");
        assertThat(Formats.rate(12)).isEqualTo("12");
        assertThat(Formats.rate(240)).isEqualTo("240");
        assertThat(Formats.number(6)).isEqualTo("6");
        assertThat(Formats.number(18.26)).isEqualTo("18");
    }
}
