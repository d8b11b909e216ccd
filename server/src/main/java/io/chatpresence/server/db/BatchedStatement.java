package io.chatpresence.server.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One prepared statement run often, by many sockets at once. Executions that arrive while earlier ones are
 * out wait, and go together as one pipelined batch (Bind/Execute each, one Sync), which PostgreSQL runs as one
 * implicit transaction: one round trip and one pool connection for many executions, and for writes one commit
 * and one WAL flush (group commit). With fewer than {@code maxInFlight} batches out, an execution goes at once,
 * so a quiet server waits for nothing. Each future completes only after its batch committed.
 * <p>
 * A batch is sent ordered by {@code lockKey} (stably, so one key keeps its arrival order): batches that write
 * take their row locks in the same order and cannot deadlock (reads pass 0). A batch the database refused (a
 * {@link PgException}: it rolled back) is retried one execution at a time, so one bad row fails alone; any
 * other failure (the connection lost, maybe after the commit) fails the whole batch and is not retried, so
 * nothing is stored twice behind the client's back. Touched only on its verticle's event loop.
 */
public final class BatchedStatement {
  private final PreparedQuery<RowSet<Row>> statement;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private int inFlight;

  private record Pending(long lockKey, Tuple params, Promise<RowSet<Row>> done) {
  }

  public BatchedStatement(PreparedQuery<RowSet<Row>> statement, int maxBatch, int maxInFlight) {
    this.statement = statement;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
  }

  /** Runs the statement with {@code params}; completes with its rows once committed. */
  public Future<RowSet<Row>> execute(long lockKey, Tuple params) {
    Promise<RowSet<Row>> done = Promise.promise();
    waiting.add(new Pending(lockKey, params, done));
    flush();
    return done.future();
  }

  private void flush() {
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      List<Pending> batch = new ArrayList<>(Math.min(waiting.size(), maxBatch));
      while (batch.size() < maxBatch && !waiting.isEmpty()) {
        batch.add(waiting.poll());
      }
      inFlight++;
      run(batch).onComplete(v -> {
        inFlight--;
        flush();
      });
    }
  }

  private Future<Void> run(List<Pending> batch) {
    if (batch.size() == 1) {
      return runAlone(batch.get(0));
    }
    batch.sort(Comparator.comparingLong(Pending::lockKey));
    List<Tuple> params = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      params.add(p.params());
    }
    return statement.executeBatch(params).transform(ar -> {
      if (ar.succeeded()) {
        RowSet<Row> rows = ar.result();
        for (Pending p : batch) {
          p.done().complete(rows);
          rows = rows.next();
        }
        return Future.succeededFuture();
      }
      if (ar.cause() instanceof PgException) {
        List<Future<Void>> alone = new ArrayList<>(batch.size());
        for (Pending p : batch) {
          alone.add(runAlone(p));
        }
        return Future.join(alone).mapEmpty();
      }
      batch.forEach(p -> p.done().fail(ar.cause()));
      return Future.succeededFuture();
    });
  }

  private Future<Void> runAlone(Pending p) {
    return statement.execute(p.params()).andThen(p.done()).mapEmpty();
  }
}
