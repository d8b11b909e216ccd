package io.chatpresence.server.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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
}
