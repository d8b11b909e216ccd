package io.chatpresence.protocol;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO-8601 UTC with {@code Z} and millisecond precision, as the client document shows. */
public final class Timestamps {
  private static final DateTimeFormatter TO_THE_SECOND =
    DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

  /** The formatted second last used: messages and status changes of one second share it. */
  private record Second(long epochSecond, String prefix) {
  }

  private static volatile Second last = new Second(Long.MIN_VALUE, "");

  private Timestamps() {
  }

  public static String format(Instant instant) {
    long epochSecond = instant.getEpochSecond();
    Second second = last;
    if (second.epochSecond() != epochSecond) {
      second = new Second(epochSecond, TO_THE_SECOND.format(Instant.ofEpochSecond(epochSecond)));
      last = second;
    }
    int millis = instant.getNano() / 1_000_000;
    StringBuilder out = new StringBuilder(second.prefix().length() + 4).append(second.prefix());
    if (millis < 100) {
      out.append(millis < 10 ? "00" : "0");
    }
    return out.append(millis).append('Z').toString();
  }

  public static String format(OffsetDateTime time) {
    return format(time.toInstant());
  }

  public static String now() {
    return format(Instant.now());
  }
}
