package io.chatpresence.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.chatpresence.bench.Bench.await;

/**
 * {@code bin/bench sync}: one user in 2,000 conversations (half chats, half groups). (1) 100 events since its
 * token, spread over 100 conversations: SYNC latency at 100 requests/s (open loop). (2) 10,000 events since
 * another token, over all conversations: the time to page through them at limit 1,000. Events are messages,
 * written by SQL under the writers' rule (conversation rows locked, then positions drawn).
 */
final class SyncBench {
  private static final String RUN = Long.toString(System.currentTimeMillis() % 10_000_000, 36);

  private final Bench bench;

  SyncBench(Bench bench) {
    this.bench = bench;
  }

  JsonObject run() {
    boolean quick = bench.sizes.historySeconds() < 5;
    int conversations = quick ? 200 : 2_000;
    int fewEvents = 100;
    int manyEvents = quick ? 1_000 : 10_000;
    int rate = quick ? 40 : 100;
    String me = "sy" + RUN + "_me";
    String token = bench.register(me);
    List<String> partners = bench.bulkUsers("syp", conversations / 2);
    System.out.printf("  seeding %,d conversations (%,d chats, %,d groups) with 2 messages each%n", conversations,
      partners.size(), conversations - partners.size());
    List<Long> ids = new ArrayList<>(await(bench.target.sql().withTransaction(conn -> conn.preparedQuery(
        "WITH chats AS (INSERT INTO conversations (kind, external_id, user_a, user_b) "
          + "SELECT 'C', 'syc_' || p, least($1, p), greatest($1, p) FROM unnest($2::text[]) p RETURNING id, user_a, user_b), "
          + "groups AS (INSERT INTO conversations (kind, external_id, name, owner, member_count, members_version) "
          + "SELECT 'G', 'syg_' || $1 || '_' || g, 'group ' || g, $1, 1, 1 FROM generate_series(1, $3) g RETURNING id), "
          + "members AS (INSERT INTO group_members (conversation_id, username) SELECT id, $1 FROM groups), "
          + "pos AS (INSERT INTO read_positions (username, conversation_id) SELECT $1, id FROM groups "
          + "UNION ALL SELECT $1, id FROM chats UNION ALL SELECT CASE WHEN user_a = $1 THEN user_b ELSE user_a END, id FROM chats) "
          + "SELECT id FROM chats UNION ALL SELECT id FROM groups")
      .execute(Tuple.of(me, partners.toArray(new String[0]), conversations - partners.size())))
      .map(rows -> {
        List<Long> list = new ArrayList<>();
        rows.forEach(r -> list.add(r.getLong(0)));
        return list;
      })));
    addMessages(me, ids, 2);
    await(bench.target.sql().query("VACUUM ANALYZE").execute());

    List<Gen.Spec> specs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      specs.add(new Gen.Spec(i % bench.gen.shards.size(), bench.target.chatPort(), me, token, "[\"read\",\"sync\"]"));
    }
    List<Gen.Sock> socks = bench.gen.connectAll(specs, 8, "sync sockets");
    Gen.Sock one = socks.get(0);

    // (1) 100 events over 100 conversations since the token
    String since = quietToken(one);
    List<Long> spread = new ArrayList<>();
    for (int i = 0; i < fewEvents; i++) {
      spread.add(ids.get(i * (ids.size() / fewEvents)));
    }
    addMessages(me, spread, 1);
    int seen = pageAll(one, since, 1_000, fewEvents).events();
    double[] serial = new double[50];
    for (int i = 0; i < serial.length; i++) {
      long t0 = System.nanoTime();
      syncOnce(one, since, 1_000);
      serial[i] = (System.nanoTime() - t0) / 1e6;
    }
    java.util.Arrays.sort(serial);
    System.out.printf("  one at a time (50 calls): median %.2f ms, max %.2f ms%n", serial[25], serial[49]);
    JsonObject latency = syncRun(socks, rate, since);
    System.out.printf("  SYNC of %d events over %d of %,d conversations, %d req/s: p50 %.2f ms, p99 %.2f ms%n",
      seen, fewEvents, conversations, rate, latency.getDouble("p50Ms"), latency.getDouble("p99Ms"));

    // (2) many events over all conversations, paged at limit 1,000
    String before = quietToken(one);
    addMessages(me, ids, manyEvents / ids.size());
    pageAll(one, before, 1_000, manyEvents); // waits for the watermark to pass them all
    JsonArray runs = new JsonArray();
    for (int run = 0; run < 3; run++) {
      Paged p = pageAll(one, before, 1_000, manyEvents);
      runs.add(new JsonObject().put("events", p.events()).put("calls", p.calls()).put("ms", p.millis()));
      System.out.printf("  paging %,d events at limit 1,000: %d calls, %.1f ms%n", p.events(), p.calls(), p.millis());
    }
    bench.gen.closeAll(socks);
    return new JsonObject().put("conversations", conversations).put("requestsPerSecond", rate)
      .put("eventsSinceToken", seen).put("oneAtATimeMedianMs", serial[25]).put("latency", latency).put("p99Ms", latency.getDouble("p99Ms"))
      .put("pagedEvents", manyEvents).put("pagingRuns", runs);
  }

  /**
   * {@code perConversation} messages in each conversation, one transaction: the rows locked in id order, then
   * the ids drawn, last_seq/activity/events_pos moved (the send statement's rule). Conversations interleave.
   */
  private void addMessages(String me, List<Long> conversations, int perConversation) {
    await(bench.target.sql().withTransaction(conn -> conn.preparedQuery(
        "WITH locked AS (SELECT id, last_seq FROM conversations WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE), "
          + "ins AS (INSERT INTO messages (conversation_id, seq, sender, content) "
          + "SELECT l.id, l.last_seq + s, $2, 'sync bench ' || s FROM locked l, generate_series(1, $3) s ORDER BY s, l.id "
          + "RETURNING conversation_id, id, seq) "
          + "UPDATE conversations c SET last_seq = m.seq, activity = m.id, events_pos = m.id "
          + "FROM (SELECT DISTINCT ON (conversation_id) conversation_id, id, seq FROM ins ORDER BY conversation_id, seq DESC) m "
          + "WHERE c.id = m.conversation_id")
      .execute(Tuple.of(conversations.toArray(new Long[0]), me, perConversation))));
  }

  /** A token after which nothing is pending (the seeded events are behind it). */
  private String quietToken(Gen.Sock s) {
    String token = syncOnce(s, null, 1).getString("next");
    while (true) {
      JsonObject page = syncOnce(s, token, 1_000);
      token = page.getString("next");
      if (page.getJsonArray("events").isEmpty() && !page.getBoolean("hasMore")) {
        return token;
      }
    }
  }

  private record Paged(int events, int calls, double millis) {
  }

  /** Pages from {@code since} until {@code expected} events came (calling again while the watermark lags). */
  private Paged pageAll(Gen.Sock s, String since, int limit, int expected) {
    long start = System.nanoTime();
    long deadline = start + 120_000_000_000L;
    int events = 0;
    int calls = 0;
    String token = since;
    while (events < expected && System.nanoTime() < deadline) {
      JsonObject page = syncOnce(s, token, limit);
      calls++;
      events += page.getJsonArray("events").size();
      token = page.getString("next");
    }
    if (events != expected) {
      throw new IllegalStateException("SYNC gave " + events + " events, expected " + expected);
    }
    return new Paged(events, calls, (System.nanoTime() - start) / 1e6);
  }

  private static JsonObject syncOnce(Gen.Sock s, String since, int limit) {
    CompletableFuture<String> answer = new CompletableFuture<>();
    s.onText = text -> {
      if (text.startsWith("{\"type\":\"SYNC\"") || text.startsWith("{\"type\":\"ERROR\"")) {
        answer.complete(text);
      }
    };
    s.send("{\"type\":\"SYNC\",\"limit\":" + limit + (since == null ? "" : ",\"since\":\"" + since + "\"") + "}");
    try {
      JsonObject page = new JsonObject(answer.get(30, TimeUnit.SECONDS));
      if (!"SYNC".equals(page.getString("type"))) {
        throw new IllegalStateException("SYNC answered " + page.encode());
      }
      return page;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonObject syncRun(List<Gen.Sock> socks, int rate, String since) {
    List<List<Gen.Sock>> byShard = new ArrayList<>();
    for (int i = 0; i < bench.gen.shards.size(); i++) {
      byShard.add(new ArrayList<>());
    }
    socks.forEach(s -> byShard.get(s.shard).add(s));
    Step step = bench.newStep(bench.sizes.warmupSeconds(), bench.sizes.historySeconds());
    for (Gen.Sock s : socks) {
      s.onText = text -> {
        if (text.startsWith("{\"type\":\"SYNC\"") || text.startsWith("{\"type\":\"ERROR\"")) {
          step.received(s.shard, text, "\"clientMsgId\":\"", false);
        }
      };
    }
    bench.gen.openLoop((double) rate / bench.gen.shards.size(), step.start, step.end, (shard, k, intended) -> {
      List<Gen.Sock> mine = byShard.get(shard);
      Gen.Sock s = mine.get((int) (k % mine.size()));
      step.sent(shard, intended);
      s.send("{\"type\":\"SYNC\",\"limit\":1000,\"since\":\"" + since + "\",\"clientMsgId\":\"" + step.stamp(intended) + "\"}");
    });
    boolean drained = step.drain(1, System.nanoTime() + bench.sizes.drainSeconds() * 1_000_000_000L);
    step.closed = true;
    return Bench.figures(step, rate, drained);
  }
}
