package dev.trench.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InstantsTest {

    @Test
    void theFastPathReadsWhatInstantParseReads() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            Instant sent = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_799L),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            String text = sent.toString();
            assertThat(Instants.parseCanonical(text)).as(text).isEqualTo(Instant.parse(text)).isEqualTo(sent);
        }
    }

    @Test
    void otherShapesAreLeftToInstantParse() {
        for (String text : List.of("2025-01-31T10:15:30+01:00", "2025-01-31T10:15:30.Z", "2025-01-31T23:59:60Z",
                "2025-01-31T24:00:00Z", "2025-02-29T10:15:30Z", "2024-02-30T10:15:30Z", "2025-13-01T10:15:30Z",
                "2025-00-01T10:15:30Z", "2025-01-00T10:15:30Z", "+12025-01-31T10:15:30Z", "2025-01-31 10:15:30Z",
                "2025-01-31T10:15:30.1234567890Z", "2025-01-31t10:15:30Z", "2025-01-31T10:15:30z", "", "x",
                "2025-01-31T10:15:3aZ", "2025-01-31T10:15:30.12a4Z")) {
            assertThat(Instants.parseCanonical(text)).as(text).isNull();
        }
        assertThat(Instants.parseCanonical("2024-02-29T10:15:30.5Z"))
                .isEqualTo(Instant.parse("2024-02-29T10:15:30.5Z"));
        assertThat(Instants.parse("2025-01-31T10:15:30+01:00")).isEqualTo(Instant.parse("2025-01-31T09:15:30Z"));
        assertThatThrownBy(() -> Instants.parse("2025-02-29T10:15:30Z")).isInstanceOf(DateTimeParseException.class);
    }
}
