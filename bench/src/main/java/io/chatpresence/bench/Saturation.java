package io.chatpresence.bench;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The closed loop: each sender of 1:1 pairs keeps {@code window} messages in flight (it sends the next one when
 * the SUCCESS of one arrives, i.e. once it is committed), so the product runs as fast as it can. Counts what was
 * stored (SUCCESS) and delivered (the recipients' frames) in the measured window, and what PostgreSQL spent per
 * message meanwhile ({@link PgStats}): where issue 16's "closed-loop saturation" figures come from.
 */
final class Saturation {
  private final Gen gen;
  private final PgStats pg;
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile boolean measuring;
  private volatile boolean running = true;

  Saturation(Gen gen, PgStats pg) {
    this.gen = gen;
    this.pg = pg;
  }

  /** {@code socks}: pairs, even index sends to the odd one after it. */
  JsonObject run(List<Gen.Sock> socks, int window, int warmupSeconds, int seconds) {
    for (int i = 0; i + 1 < socks.size(); i += 2) {
      Gen.Sock sender = socks.get(i);
      Gen.Sock recipient = socks.get(i + 1);
      String frame = "{\"type\":\"ONE_TO_ONE_CHAT\",\"to\":\"" + recipient.name + "\",\"content\":\"saturation\"}";
      recipient.onText = text -> {
        if (measuring && text.startsWith("{\"type\":\"ONE_TO_ONE_CHAT\"")) {
          delivered.incrementAndGet();
        }
      };
      sender.onText = text -> {
        boolean ok = text.startsWith("{\"type\":\"SUCCESS\"");
        if (!ok && text.startsWith("{\"type\":\"ERROR\"") && errors.incrementAndGet() <= 3) {
          System.out.println("  error frame: " + text);
        }
        if (ok && measuring) {
          stored.incrementAndGet();
        }
        if (running && (ok || text.startsWith("{\"type\":\"ERROR\""))) {
          sender.send(frame);
        }
      };
      gen.shards.get(sender.shard).runOnContext(v -> {
        for (int k = 0; k < window; k++) {
          sender.send(frame);
        }
      });
    }
    Bench.pause(warmupSeconds * 1000L);
    pg.analyze();
    pg.resetStatements();
    PgStats.Reading before = pg.read();
    long storedBefore = stored.get();
    measuring = true;
    Bench.pause(seconds * 1000L);
    measuring = false;
    long storedInWindow = stored.get() - storedBefore;
    running = false;
    gen.waitQuiet(300, 30);
    PgStats.Reading after = pg.read();
    // the CPU and counters cover the window and the drain: divide by all that was stored in that time
    double elapsed = (after.nanos() - before.nanos()) / 1e9;
    long storedSince = stored.get() - storedBefore;
    JsonObject r = PgStats.perMessage(before, after, storedSince, elapsed)
      .put("pairs", socks.size() / 2)
      .put("inFlightPerSender", window)
      .put("storedPerSecond", storedInWindow / (double) seconds)
      .put("deliveredPerSecond", delivered.get() / (double) seconds)
      .put("errors", errors.get())
      .put("topStatements", pg.topStatements());
    for (Gen.Sock s : socks) {
      s.onText = t -> { };
    }
    System.out.printf("  closed loop (%d pairs, %d in flight each): stored %,.0f msg/s, delivered %,.0f msg/s; %s%n",
      socks.size() / 2, window, r.getDouble("storedPerSecond"), r.getDouble("deliveredPerSecond"), PgStats.line(r));
    return r;
  }
}
