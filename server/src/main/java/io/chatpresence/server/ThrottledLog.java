package io.chatpresence.server;

import org.slf4j.Logger;

/** A warning that may repeat thousands of times a second (an outage): the first, then a count per period. */
public final class ThrottledLog {
  private final long periodNanos;
  private long windowStart = System.nanoTime() - Long.MAX_VALUE / 2;
  private long suppressed;

  public ThrottledLog(long periodMs) {
    this.periodNanos = periodMs * 1_000_000L;
  }

  /** Not thread-safe: one per verticle instance (one event loop). */
  public void warn(Logger log, String message) {
    long now = System.nanoTime();
    if (now - windowStart >= periodNanos) {
      if (suppressed > 0) {
        log.warn("{} (and {} more like it in the last period)", message, suppressed);
      } else {
        log.warn(message);
      }
      windowStart = now;
      suppressed = 0;
    } else {
      suppressed++;
    }
  }
}
