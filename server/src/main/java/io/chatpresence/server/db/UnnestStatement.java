package io.chatpresence.server.db;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement (a write, or a lookup) run often, by many sockets at once, sent as one statement per batch:
 * parameter {@code i} of every execution goes into the array {@code $i} (element type {@code columnTypes[i]}), and
 * the statement unnests them {@code WITH ORDINALITY} and returns each execution's rows with its 1-based place in the
 * batch in a column {@code ord}. One statement for a batch costs PostgreSQL a fraction of one statement per execution (executor
 * start-up, locks and triggers paid once: docs/performance.md). Batching as {@link BatchQueue}; each future
 * completes only after its batch committed.
 * <p>
 * {@code single} is the same statement for one execution (same parameters, same result columns but {@code ord}): it
 * runs a batch of one, and, one execution at a time, a batch the database refused (the batch rolled back, e.g. a
 * unique key raced by a concurrent batch: {@link BatchQueue#afterFailure}), so one bad execution fails alone.
 * <p>
 * {@code afterUniqueViolation}, when given, is the arrays statement for a batch that {@code arrays} refused with a
 * unique violation: {@code arrays} may then leave the rare case (a retried key) to the index and to that slower form,
 * which runs the whole batch once more before anything goes one at a time.
 */
public final class UnnestStatement {
  private final PreparedQuery<RowSet<Row>> arrays;
  private final PreparedQuery<RowSet<Row>> afterUniqueViolation;
  private final PreparedQuery<RowSet<Row>> single;
  private final List<Class<?>> columnTypes;
  private final BatchQueue<List<Row>> queue;

  public UnnestStatement(PreparedQuery<RowSet<Row>> arrays, PreparedQuery<RowSet<Row>> single,
                         List<Class<?>> columnTypes, int maxBatch, int maxInFlight) {
    this(arrays, null, single, columnTypes, maxBatch, maxInFlight);
  }

  public UnnestStatement(PreparedQuery<RowSet<Row>> arrays, PreparedQuery<RowSet<Row>> afterUniqueViolation,
                         PreparedQuery<RowSet<Row>> single, List<Class<?>> columnTypes, int maxBatch, int maxInFlight) {
    this(arrays, afterUniqueViolation, single, columnTypes, maxBatch, maxInFlight, 0, 0, false);
  }

  /**
   * With a hold between batches ({@link BatchQueue}: {@code holdMicros}, {@code holdBelow}), after every batch when
   * {@code holdWhenNoneWait}.
   */
  public UnnestStatement(PreparedQuery<RowSet<Row>> arrays, PreparedQuery<RowSet<Row>> afterUniqueViolation,
                         PreparedQuery<RowSet<Row>> single, List<Class<?>> columnTypes, int maxBatch, int maxInFlight,
                         long holdMicros, int holdBelow, boolean holdWhenNoneWait) {
    this.arrays = arrays;
    this.afterUniqueViolation = afterUniqueViolation;
    this.single = single;
    this.columnTypes = List.copyOf(columnTypes);
    this.queue = new BatchQueue<>(this::run, maxBatch, maxInFlight, holdMicros, holdBelow, holdWhenNoneWait);
  }

  /** Runs the statement with {@code params} (one value per column type); completes with its rows once committed. */
  public Future<List<Row>> execute(long lockKey, Tuple params) {
    if (params.size() != columnTypes.size()) {
      throw new IllegalArgumentException("expected " + columnTypes.size() + " parameters, got " + params.size());
    }
    return queue.execute(lockKey, params);
  }

  private Future<Runnable> run(List<BatchQueue.Pending<List<Row>>> batch) {
    if (batch.size() == 1) {
      return runAlone(batch.get(0)).transform(v -> BatchQueue.DONE);
    }
    Tuple columns;
    try {
      columns = columns(batch);
    } catch (RuntimeException e) { // a parameter of another type than its column's: fail the batch, keep the queue going
      batch.forEach(p -> p.done().fail(e));
      return BatchQueue.DONE;
    }
    return arrays.execute(columns).transform(ar -> {
      if (ar.failed() && afterUniqueViolation != null && isUniqueViolation(ar.cause())) {
        return afterUniqueViolation.execute(columns).transform(again -> answerOrRetry(batch, again));
      }
      return answerOrRetry(batch, ar);
    });
  }

  private Future<Runnable> answerOrRetry(List<BatchQueue.Pending<List<Row>>> batch, AsyncResult<RowSet<Row>> ar) {
    if (ar.succeeded()) {
      RowSet<Row> result = ar.result();
      return Future.succeededFuture(() -> answer(batch, result));
    }
    return BatchQueue.afterFailure(batch, ar.cause(), this::runAlone);
  }

  private static boolean isUniqueViolation(Throwable cause) {
    return cause instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  private static void answer(List<BatchQueue.Pending<List<Row>>> batch, RowSet<Row> result) {
    List<List<Row>> rowsOf = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      rowsOf.add(new ArrayList<>(1));
    }
    for (Row row : result) {
      rowsOf.get(Math.toIntExact(row.getLong("ord")) - 1).add(row);
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).done().complete(rowsOf.get(i));
    }
  }

  private Tuple columns(List<BatchQueue.Pending<List<Row>>> batch) {
    Tuple columns = Tuple.tuple();
    for (int c = 0; c < columnTypes.size(); c++) {
      Object column = Array.newInstance(columnTypes.get(c), batch.size());
      for (int i = 0; i < batch.size(); i++) {
        Array.set(column, i, batch.get(i).params().getValue(c));
      }
      columns.addValue(column);
    }
    return columns;
  }

  private Future<Void> runAlone(BatchQueue.Pending<List<Row>> p) {
    return single.execute(p.params()).<List<Row>>map(rows -> {
      List<Row> list = new ArrayList<>(rows.size());
      rows.forEach(list::add);
      return list;
    }).andThen(p.done()).mapEmpty();
  }
}
