package io.chatpresence.protocol;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TimestampsTest {
  private static final DateTimeFormatter REFERENCE =
    DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void formatsLikeTheIsoPatternWithMillisecondsAndZ() {
    assertEquals("2026-11-26T10:30:00.123Z", Timestamps.format(Instant.parse("2026-11-26T10:30:00.123456Z")));
    assertEquals("1970-01-01T00:00:00.000Z", Timestamps.format(Instant.EPOCH));
    assertEquals("2026-11-26T10:30:00.007Z", Timestamps.format(Instant.parse("2026-11-26T10:30:00.007Z")));
    assertEquals("2026-11-26T10:30:00.070Z", Timestamps.format(Instant.parse("2026-11-26T10:30:00.070Z")));
    SplittableRandom random = new SplittableRandom(42);
    Instant base = Instant.parse("2020-01-01T00:00:00Z");
    for (int i = 0; i < 10_000; i++) {
      // runs of the same second (the cached prefix) and jumps to others
      Instant t = i % 3 == 0 ? base.plusMillis(random.nextLong(400_000_000_000L)) : base.plusNanos(random.nextLong(999_999_999));
      assertEquals(REFERENCE.format(t), Timestamps.format(t), t.toString());
    }
  }
}
