package io.chatpresence.server.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Executions of one statement, queued while earlier batches are out and sent as one batch when one finishes:
 * with fewer than {@code maxInFlight} batches out and no hold on (see the constructors) an execution goes at once,
 * so a quiet server waits for nothing.
 * A batch reaches the runner ordered by {@code lockKey} (stably, so one key keeps its arrival order): batches
 * that write take their row locks in the same order and cannot deadlock (reads pass 0). How a batch is sent is
 * the runner's: {@link BatchedStatement} pipelines it, {@link UnnestStatement} sends it as one statement over
 * arrays. Touched only on its verticle's event loop.
 */
final class BatchQueue<R> {
  record Pending<R>(long lockKey, Tuple params, Promise<R> done) {
  }

  private final Function<List<Pending<R>>, Future<Runnable>> runner;
  private final int maxBatch;
  private final int maxInFlight;
  private final long holdMicros;
  private final int holdBelow;
  private final boolean holdWhenNoneWait;
  private final ArrayDeque<Pending<R>> waiting = new ArrayDeque<>();
  private int inFlight;
  /** A hold is on (see the constructor); its timer's generation, so that a hold ended early ignores its timer. */
  private boolean holding;
  private long holds;

  /**
   * {@code runner} sends the batch it is given; its future (which never fails) completes once the database answered,
   * with what completes the batch's executions. The queue sends the next batch before running that, so a batch's
   * answers are handled while the next one is in the database (with one batch out at a time, still after this one
   * committed); a runner that completed the executions itself (a refused batch) gives a no-op.
   */
  BatchQueue(Function<List<Pending<R>>, Future<Runnable>> runner, int maxBatch, int maxInFlight) {
    this(runner, maxBatch, maxInFlight, 0, 0, false);
  }

  /**
   * With a hold: when a batch finishes and fewer than {@code holdBelow} executions wait, the next batch waits up
   * to {@code holdMicros} for more (or until {@code holdBelow} wait): a batch's statement costs the database
   * about the same whatever its size, so at moderate load fewer, larger batches cost it less CPU. An execution
   * that finds nothing out and no hold still goes at once. 0: no hold.
   * <p>
   * {@code holdWhenNoneWait}: the hold also follows a batch after which nothing waits, when that batch held more
   * than one execution, so the executions that come within {@code holdMicros} of a busy batch's end go together
   * (an execution that comes later, with nothing out, still goes at once). A batch of one is not followed by a
   * hold when nothing waits: a lone client marking one message at a time is answered at once, and a hold is back
   * as soon as two come together. For writes that supersede each other (a reader's marks in one conversation: the
   * batch writes the furthest once) and whose answer may wait that long.
   */
  BatchQueue(Function<List<Pending<R>>, Future<Runnable>> runner, int maxBatch, int maxInFlight, long holdMicros,
             int holdBelow, boolean holdWhenNoneWait) {
    this.runner = runner;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.holdMicros = holdMicros;
    this.holdBelow = holdBelow;
    this.holdWhenNoneWait = holdWhenNoneWait;
  }

  Future<R> execute(long lockKey, Tuple params) {
    Promise<R> done = Promise.promise();
    waiting.add(new Pending<>(lockKey, params, done));
    if (holding && waiting.size() >= holdBelow) {
      holding = false;
    }
    if (!holding) {
      flush();
    }
    return done.future();
  }

  private void afterBatch(int batchSize) {
    boolean held = holdMicros > 0 && (!waiting.isEmpty() || holdWhenNoneWait && batchSize > 1)
      && waiting.size() < holdBelow;
    if (held && Vertx.currentContext() != null) {
      holding = true;
      long hold = ++holds;
      Vertx.currentContext().owner().timer(holdMicros, TimeUnit.MICROSECONDS).onComplete(t -> {
        if (holding && holds == hold) {
          holding = false;
          flush();
        }
      });
      return;
    }
    flush();
  }

  /**
   * What follows a batch that failed: one the database refused (a {@link PgException}: it rolled back) is run
   * again one execution at a time by {@code alone}, in the batch's order and each after the one before, so one bad
   * execution fails alone and the executions of one key commit in the order they came; any other failure (the
   * connection lost, maybe after the commit) fails every execution, and nothing is retried behind the client's back.
   */
  static <R> Future<Runnable> afterFailure(List<Pending<R>> batch, Throwable cause, Function<Pending<R>, Future<Void>> alone) {
    if (cause instanceof PgException) {
      Future<Void> chain = Future.succeededFuture();
      for (Pending<R> p : batch) {
        chain = chain.transform(v -> alone.apply(p));
      }
      return chain.transform(v -> DONE);
    }
    return Future.succeededFuture(() -> batch.forEach(p -> p.done().fail(cause)));
  }

  /** What a runner gives when it completed the executions itself. */
  static final Future<Runnable> DONE = Future.succeededFuture(() -> { });

  private void flush() {
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      List<Pending<R>> batch = new ArrayList<>(Math.min(waiting.size(), maxBatch));
      while (batch.size() < maxBatch && !waiting.isEmpty()) {
        batch.add(waiting.poll());
      }
      batch.sort(Comparator.comparingLong(Pending::lockKey));
      inFlight++;
      runner.apply(batch).onComplete(ar -> {
        inFlight--;
        afterBatch(batch.size());
        if (ar.succeeded()) {
          ar.result().run();
        } else { // not a runner's way to end, but never leave an execution unanswered
          batch.forEach(p -> p.done().tryFail(ar.cause()));
        }
      });
    }
  }
}
