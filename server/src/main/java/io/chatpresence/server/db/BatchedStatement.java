package io.chatpresence.server.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * One prepared statement run often, by many sockets at once. Executions that arrive while earlier ones are
 * out wait, and go together as one pipelined batch (Bind/Execute each, one Sync), which PostgreSQL runs as one
 * implicit transaction: one round trip and one pool connection for many executions, and for writes one commit
 * and one WAL flush (group commit). Each future completes only after its batch committed ({@link BatchQueue}
 * says when batches go and in which order).
 * A batch that fails is handled by {@link BatchQueue#afterFailure}: refused by the database, each execution alone.
 */
public final class BatchedStatement {
  private final PreparedQuery<RowSet<Row>> statement;
  private final BatchQueue<RowSet<Row>> queue;

  public BatchedStatement(PreparedQuery<RowSet<Row>> statement, int maxBatch, int maxInFlight) {
    this.statement = statement;
    this.queue = new BatchQueue<>(this::run, maxBatch, maxInFlight);
  }

  /** Runs the statement with {@code params}; completes with its rows once committed. */
  public Future<RowSet<Row>> execute(long lockKey, Tuple params) {
    return queue.execute(lockKey, params);
  }

  private Future<Runnable> run(List<BatchQueue.Pending<RowSet<Row>>> batch) {
    if (batch.size() == 1) {
      return runAlone(batch.get(0)).transform(v -> BatchQueue.DONE);
    }
    List<Tuple> params = new ArrayList<>(batch.size());
    for (BatchQueue.Pending<RowSet<Row>> p : batch) {
      params.add(p.params());
    }
    return statement.executeBatch(params).transform(ar -> {
      if (ar.succeeded()) {
        RowSet<Row> first = ar.result();
        return Future.succeededFuture(() -> {
          RowSet<Row> rows = first;
          for (BatchQueue.Pending<RowSet<Row>> p : batch) {
            p.done().complete(rows);
            rows = rows.next();
          }
        });
      }
      return BatchQueue.afterFailure(batch, ar.cause(), this::runAlone);
    });
  }

  private Future<Void> runAlone(BatchQueue.Pending<RowSet<Row>> p) {
    return statement.execute(p.params()).andThen(p.done()).mapEmpty();
  }
}
