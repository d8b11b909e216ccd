package io.chatpresence.server.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * An {@link UnnestStatement} in lanes: the executions of one lane key (a conversation) always take the same lane,
 * and each lane has one batch out at a time, so they commit in the order they came; the other lanes' batches
 * commit meanwhile, each on a connection of its own. For writes whose rows belong to their lane key (a
 * conversation's row, its messages, its members' positions), two lanes never wait for each other's row locks,
 * and PostgreSQL runs them on as many cores as there are lanes (docs/performance.md).
 */
public final class UnnestLanes {
  private final UnnestStatement[] lanes;

  public UnnestLanes(PreparedQuery<RowSet<Row>> arrays, PreparedQuery<RowSet<Row>> single, List<Class<?>> columnTypes,
                     int maxBatch, int lanes) {
    this(arrays, null, single, columnTypes, maxBatch, lanes);
  }

  /** With the arrays statement for a batch refused by a unique index ({@link UnnestStatement}). */
  public UnnestLanes(PreparedQuery<RowSet<Row>> arrays, PreparedQuery<RowSet<Row>> afterUniqueViolation,
                     PreparedQuery<RowSet<Row>> single, List<Class<?>> columnTypes, int maxBatch, int lanes) {
    this(arrays, afterUniqueViolation, single, columnTypes, maxBatch, lanes, 0, 0);
  }

  /** With a hold between a lane's batches ({@link UnnestStatement}). */
  public UnnestLanes(PreparedQuery<RowSet<Row>> arrays, PreparedQuery<RowSet<Row>> afterUniqueViolation,
                     PreparedQuery<RowSet<Row>> single, List<Class<?>> columnTypes, int maxBatch, int lanes,
                     long holdMicros, int holdBelow) {
    this(arrays, afterUniqueViolation, single, columnTypes, maxBatch, lanes, holdMicros, holdBelow, false);
  }

  /** With a hold after every batch of a lane when {@code holdWhenNoneWait} ({@link UnnestStatement}). */
  public UnnestLanes(PreparedQuery<RowSet<Row>> arrays, PreparedQuery<RowSet<Row>> afterUniqueViolation,
                     PreparedQuery<RowSet<Row>> single, List<Class<?>> columnTypes, int maxBatch, int lanes,
                     long holdMicros, int holdBelow, boolean holdWhenNoneWait) {
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be at least 1, got " + lanes);
    }
    this.lanes = new UnnestStatement[lanes];
    for (int i = 0; i < lanes; i++) {
      this.lanes[i] = new UnnestStatement(arrays, afterUniqueViolation, single, columnTypes, maxBatch, 1, holdMicros,
        holdBelow, holdWhenNoneWait);
    }
  }

  /** {@link UnnestStatement#execute} in the lane of {@code laneKey}. */
  public Future<List<Row>> execute(long laneKey, long lockKey, Tuple params) {
    return lanes[(int) Math.floorMod(laneKey, (long) lanes.length)].execute(lockKey, params);
  }
}
