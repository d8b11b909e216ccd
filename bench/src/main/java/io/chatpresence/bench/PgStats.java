package io.chatpresence.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.nio.file.Path;

/**
 * What the embedded PostgreSQL did between two readings, per message: CPU of all its processes (from /proc),
 * commits, WAL records, bytes and syncs (pg_stat_database, pg_stat_wal), and the statements that cost most
 * (pg_stat_statements, loaded for benchmarks only: {@link BenchServer}). The cumulative statistics lag by up to
 * half a second (the stats collector), so a reading is taken once the load is quiet.
 */
final class PgStats {
  private static final String COUNTERS =
    "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits, "
      + "w.wal_records, w.wal_bytes::bigint AS wal_bytes, w.wal_sync, w.wal_fpi FROM pg_stat_wal w";
  private static final String TOP_STATEMENTS =
    "SELECT calls, rows, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query "
      + "FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 6";

  private final Pool sql;
  private final Path pgDir;

  PgStats(Pool sql, Path pgDir) {
    this.sql = sql;
    this.pgDir = pgDir;
  }

  /** One reading of the counters. */
  record Reading(long nanos, double cpuSeconds, long commits, long walRecords, long walBytes, long walSyncs, long walFpi) {
  }

  Reading read() {
    Row row = Bench.await(sql.query("SELECT pg_stat_clear_snapshot()").execute()
      .compose(v -> sql.query(COUNTERS).execute())).iterator().next();
    return new Reading(System.nanoTime(), PgCpu.seconds(pgDir), row.getLong("commits"), row.getLong("wal_records"),
      row.getLong("wal_bytes"), row.getLong("wal_sync"), row.getLong("wal_fpi"));
  }

  /**
   * Brings the planner's statistics up to date. A run grows the tables from nearly empty within seconds, faster
   * than autovacuum analyzes them again (it looks once a minute), and each product connection keeps a statement's
   * generic plan made from the statistics of its first runs: with a few hundred conversations, a sequential scan
   * of them for every batch of read marks (docs/performance.md). A database in use has statistics that follow its
   * size; measuring after ANALYZE measures that state, and ANALYZE makes the connections plan again.
   */
  void analyze() {
    Bench.await(sql.query("ANALYZE").execute());
  }

  /**
   * Gives the database the WAL segments a database in use has. A new cluster creates each 16 MB WAL segment when
   * it first needs it, in the backend whose commit crosses into it: zero-filled and fsynced, 50-60 ms here, during
   * which no other commit completes either (strace of the insert backend; at 5,000 msg/s one every 4-5 s: the
   * stalls behind the p99 of the offered-rate steps, docs/performance.md). A database that has run through a
   * checkpoint renames its used segments into the coming ones instead. So: write {@code megabytes} of WAL into a
   * scratch table, drop it and CHECKPOINT, which leaves that many segments to recycle.
   */
  void prepareWal(int megabytes) {
    if (megabytes <= 0) {
      return;
    }
    Bench.await(sql.query("CREATE TABLE bench_wal_warmup AS SELECT g, repeat('w', 900) AS pad "
      + "FROM generate_series(1, " + megabytes * 1_000 + ") g").execute()
      .compose(v -> sql.query("DROP TABLE bench_wal_warmup").execute())
      .compose(v -> sql.query("CHECKPOINT").execute()));
  }

  /** Forgets the statement statistics, so that {@link #topStatements} covers what follows. */
  void resetStatements() {
    Bench.await(sql.query("SELECT pg_stat_statements_reset()").execute());
  }

  /**
   * The figures per message between two readings: {@code messages} stored in between, over {@code seconds} of
   * load. Commits include the bench's own few statements (a handful against tens of thousands).
   */
  static JsonObject perMessage(Reading a, Reading b, long messages, double seconds) {
    double m = Math.max(1, messages);
    long commits = b.commits() - a.commits();
    return new JsonObject()
      .put("pgCpuUsPerMessage", (b.cpuSeconds() - a.cpuSeconds()) * 1e6 / m)
      .put("pgCommitsPerSecond", commits / seconds)
      .put("messagesPerCommit", commits == 0 ? 0 : messages / (double) commits)
      .put("walRecordsPerMessage", (b.walRecords() - a.walRecords()) / m)
      .put("walBytesPerMessage", (b.walBytes() - a.walBytes()) / m)
      .put("walSyncsPerSecond", (b.walSyncs() - a.walSyncs()) / seconds)
      .put("walFullPagesPerMessage", (b.walFpi() - a.walFpi()) / m);
  }

  /** The statements that took most execution time since the last reset. */
  JsonArray topStatements() {
    JsonArray top = new JsonArray();
    for (Row row : Bench.await(sql.query(TOP_STATEMENTS).execute())) {
      long calls = row.getLong("calls");
      top.add(new JsonObject().put("calls", calls).put("rows", row.getLong("rows"))
        .put("totalMs", row.getDouble("total_exec_time"))
        .put("meanUs", calls == 0 ? 0 : row.getDouble("total_exec_time") * 1000 / calls)
        .put("query", row.getString("query")));
    }
    return top;
  }

  static String line(JsonObject f) {
    return String.format("PostgreSQL: %.1f µs CPU/msg, %,.0f commits/s, %.1f msgs/commit, %.1f WAL records/msg, "
        + "%,.0f WAL bytes/msg, %,.0f WAL syncs/s", f.getDouble("pgCpuUsPerMessage"), f.getDouble("pgCommitsPerSecond"),
      f.getDouble("messagesPerCommit"), f.getDouble("walRecordsPerMessage"), f.getDouble("walBytesPerMessage"),
      f.getDouble("walSyncsPerSecond"));
  }
}
