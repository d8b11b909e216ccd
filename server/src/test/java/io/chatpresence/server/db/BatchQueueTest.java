package io.chatpresence.server.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When batches go and in which order their executions are answered. The runner here stands for the database: the
 * test decides when each batch is answered and how. (The statements themselves run against PostgreSQL in the
 * launcher's tests.)
 */
class BatchQueueTest {
  private final List<List<Integer>> sent = new ArrayList<>();
  private final List<Promise<Runnable>> answers = new ArrayList<>();
  private final List<String> events = new ArrayList<>();

  private final BatchQueue<Integer> queue = new BatchQueue<>(batch -> {
    sent.add(batch.stream().map(p -> p.params().getInteger(0)).toList());
    Promise<Runnable> answer = Promise.promise();
    answers.add(answer);
    return answer.future().map(done -> () -> {
      events.add("answering batch " + sent.indexOf(batch.stream().map(p -> p.params().getInteger(0)).toList()));
      batch.forEach(p -> p.done().complete(p.params().getInteger(0)));
    });
  }, 100, 1);

  private Future<Integer> execute(int value) {
    return queue.execute(0, Tuple.of(value)).onSuccess(v -> events.add("answered " + v + " with " + sent.size()
      + " batches sent"));
  }

  @Test
  void aBatchIsAnsweredAfterTheNextOneWentAndInOrder() {
    Future<Integer> first = execute(1);
    Future<Integer> second = execute(2);
    Future<Integer> third = execute(3);

    answers.get(0).complete(null); // the runner's map makes the answer
    assertEquals(List.of("answering batch 0", "answered 1 with 2 batches sent"), events,
      "batch 1 answered once batch 2 had gone to the database");
    assertTrue(first.succeeded());
    assertFalse(second.isComplete(), "batch 2 is still in the database");

    answers.get(1).complete(null);
    assertEquals(List.of("answering batch 0", "answered 1 with 2 batches sent", "answering batch 1",
      "answered 2 with 2 batches sent", "answered 3 with 2 batches sent"), events);
    assertEquals(3, third.result());
  }

  @Test
  void aRefusedBatchRunsAloneInOrderAndTheNextBatchWaitsForIt() {
    List<Integer> alone = new ArrayList<>();
    List<Promise<Void>> aloneAnswers = new ArrayList<>();
    BatchQueue<Integer> refusing = new BatchQueue<>(batch -> {
      sent.add(batch.stream().map(p -> p.params().getInteger(0)).toList());
      if (sent.size() == 2) { // the database refuses the second batch
        return BatchQueue.afterFailure(batch, new PgException("duplicate key", "ERROR", "23505", null), p -> {
          alone.add(p.params().getInteger(0));
          Promise<Void> answer = Promise.promise();
          aloneAnswers.add(answer);
          return answer.future().onSuccess(v -> p.done().complete(p.params().getInteger(0)));
        });
      }
      Promise<Runnable> answer = Promise.promise();
      answers.add(answer);
      return answer.future().map(done -> () -> batch.forEach(p -> p.done().complete(p.params().getInteger(0))));
    }, 100, 1);

    refusing.execute(0, Tuple.of(1));
    refusing.execute(0, Tuple.of(2));
    refusing.execute(0, Tuple.of(3));
    answers.get(0).complete(null); // batch [1] answered; batch [2, 3] goes and is refused
    assertEquals(List.of(2), alone, "one execution at a time");
    Future<Integer> fourth = refusing.execute(0, Tuple.of(4));
    assertEquals(2, sent.size(), "nothing else goes while the refused batch runs alone");

    aloneAnswers.get(0).complete();
    assertEquals(List.of(2, 3), alone, "the next one alone only after the one before");
    assertEquals(2, sent.size());
    aloneAnswers.get(1).complete();
    assertEquals(List.of(List.of(1), List.of(2, 3), List.of(4)), sent, "then the next batch");
    answers.get(1).complete(null);
    assertEquals(4, fourth.result());
  }

  @Test
  void aBatchWhoseConnectionWasLostFailsEveryExecutionAndTheQueueGoesOn() {
    List<Throwable> failures = new ArrayList<>();
    BatchQueue<Integer> losing = new BatchQueue<>(batch -> {
      sent.add(batch.stream().map(p -> p.params().getInteger(0)).toList());
      if (sent.size() == 1) {
        return BatchQueue.afterFailure(batch, new IllegalStateException("connection closed"), p -> {
          throw new AssertionError("nothing is retried after a lost connection");
        });
      }
      return Future.succeededFuture(() -> batch.forEach(p -> p.done().complete(p.params().getInteger(0))));
    }, 100, 1);

    losing.execute(0, Tuple.of(1)).onFailure(failures::add);
    assertEquals(1, failures.size());
    assertEquals("connection closed", failures.get(0).getMessage());
    assertEquals(2, losing.execute(0, Tuple.of(2)).result());
  }

  @Test
  void withAHoldTheNextBatchWaitsForMoreButALoneOneAndAFullOneGoAtOnce() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      io.vertx.core.Context context = vertx.getOrCreateContext();
      // a hold of 1 s (so that the test sees it), ended early by 3 executions waiting
      BatchQueue<Integer> held = withHold(false);

      on(context, () -> held.execute(0, Tuple.of(1)));
      assertEquals(List.of(List.of(1)), sentNow(), "nothing out and no hold: a lone execution goes at once");
      on(context, () -> held.execute(0, Tuple.of(2)));
      on(context, () -> answers.get(0).complete(null));
      assertEquals(1, sentNow().size(), "one waits after the batch: the next batch is held");
      on(context, () -> held.execute(0, Tuple.of(3)));
      assertEquals(1, sentNow().size());
      on(context, () -> held.execute(0, Tuple.of(4)));
      assertEquals(List.of(List.of(1), List.of(2, 3, 4)), sentNow(), "three waiting end the hold");

      on(context, () -> held.execute(0, Tuple.of(5)));
      long t0 = System.nanoTime();
      on(context, () -> answers.get(1).complete(null));
      await().atMost(Duration.ofSeconds(10)).until(() -> sentNow().size() == 3);
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(List.of(5), sentNow().get(2), "the hold's end sends what waits");
      assertTrue(waitedMs >= 900, "held about 1 s, waited " + waitedMs + " ms");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void withAHoldAfterEveryBusyBatchTheExecutionsThatComeSoonAfterItGoTogether() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      io.vertx.core.Context context = vertx.getOrCreateContext();
      // a hold of 1 s after every batch of more than one, also when nothing waits (read marks); 3 waiting end it
      BatchQueue<Integer> spaced = withHold(true);

      on(context, () -> spaced.execute(0, Tuple.of(1)));
      assertEquals(List.of(List.of(1)), sentNow(), "nothing out and no hold: a lone execution goes at once");
      on(context, () -> answers.get(0).complete(null));
      on(context, () -> spaced.execute(0, Tuple.of(2)));
      assertEquals(List.of(List.of(1), List.of(2)), sentNow(), "after a batch of one nothing is held: it goes at once");

      on(context, () -> spaced.execute(0, Tuple.of(3)));
      on(context, () -> spaced.execute(0, Tuple.of(4)));
      on(context, () -> answers.get(1).complete(null));
      await().atMost(Duration.ofSeconds(10)).until(() -> sentNow().size() == 3);
      assertEquals(List.of(3, 4), sentNow().get(2), "what waited goes as one batch");

      long t0 = System.nanoTime();
      on(context, () -> answers.get(2).complete(null));
      on(context, () -> spaced.execute(0, Tuple.of(5)));
      assertEquals(3, sentNow().size(), "nothing waited when the batch of two ended, and the next one is held all the same");
      await().atMost(Duration.ofSeconds(10)).until(() -> sentNow().size() == 4);
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(List.of(5), sentNow().get(3));
      assertTrue(waitedMs >= 900, "held about 1 s, waited " + waitedMs + " ms");

      on(context, () -> answers.get(3).complete(null));
      on(context, () -> spaced.execute(0, Tuple.of(6)));
      assertEquals(List.of(6), sentNow().get(4), "after a batch of one, at once again");
      on(context, () -> spaced.execute(0, Tuple.of(7)));
      on(context, () -> spaced.execute(0, Tuple.of(8)));
      on(context, () -> answers.get(4).complete(null));
      assertEquals(5, sentNow().size(), "two waiting when the batch ended: held");
      on(context, () -> spaced.execute(0, Tuple.of(9)));
      assertEquals(List.of(7, 8, 9), sentNow().get(5), "three waiting end the hold");
    } finally {
      vertx.close().await();
    }
  }

  /** A queue with a hold of 1 s (so that a test sees it), ended early by 3 executions waiting; answered by the test. */
  private BatchQueue<Integer> withHold(boolean whenNoneWait) {
    return new BatchQueue<>(batch -> {
      synchronized (sent) {
        sent.add(batch.stream().map(p -> p.params().getInteger(0)).toList());
      }
      Promise<Runnable> answer = Promise.promise();
      answers.add(answer);
      return answer.future().map(done -> () -> batch.forEach(p -> p.done().complete(p.params().getInteger(0))));
    }, 100, 1, 1_000_000, 3, whenNoneWait);
  }

  private List<List<Integer>> sentNow() {
    synchronized (sent) {
      return List.copyOf(sent);
    }
  }

  /** Runs {@code step} on the queue's event loop and waits for it (a BatchQueue is touched only there). */
  private static void on(io.vertx.core.Context context, Runnable step) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        step.run();
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    done.get(10, TimeUnit.SECONDS);
  }
}
