package io.chatpresence.common.protocol;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO-8601 UTC with {@code Z} and millisecond precision, as the client document shows. */
public final class Timestamps {
  private static final DateTimeFormatter FORMAT =
    DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {
  }

  public static String format(Instant instant) {
    return FORMAT.format(instant);
  }

  public static String format(OffsetDateTime time) {
    return FORMAT.format(time.toInstant());
  }

  public static String now() {
    return format(Instant.now());
  }
}
