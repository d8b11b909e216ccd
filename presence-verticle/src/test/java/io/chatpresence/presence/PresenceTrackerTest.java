package io.chatpresence.presence;

import io.chatpresence.protocol.bus.SocketDelta;
import io.chatpresence.protocol.bus.SourceHeartbeat;
import io.chatpresence.protocol.bus.SourceId;
import io.chatpresence.protocol.bus.SourceSnapshot;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The online state on its own: grace period, several sources, resync from heartbeats and snapshots, node loss and
 * the silent-source backstop. The tracker runs on a Vert.x context of its own, as in the verticle.
 */
class PresenceTrackerTest {
  private static final long GRACE_MS = 300;
  private static final long SOURCE_TTL_MS = 800;
  private static final SourceId A1 = new SourceId("a1", "node-a");
  private static final SourceId A2 = new SourceId("a2", "node-a");
  private static final SourceId B1 = new SourceId("b1", "node-b");

  private Vertx vertx;
  private Context context;
  private PresenceTracker tracker;
  private final List<String> changes = new CopyOnWriteArrayList<>();
  private final List<String> resyncs = new CopyOnWriteArrayList<>();
  private final AtomicLong online = new AtomicLong();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    tracker = on(() -> new PresenceTracker(vertx, GRACE_MS, SOURCE_TTL_MS,
      (user, isOnline, timestamp) -> changes.add(user + (isOnline ? " online" : " offline")), resyncs::add, online::set));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFirstSocketIsOnlineAtOnceAndTheLastOneGoesOfflineAfterTheGracePeriod() {
    run(() -> tracker.apply(new SocketDelta(A1, "ann", 1)));
    assertEquals(List.of("ann online"), changes);
    assertEquals(1, online.get());
    long closed = System.nanoTime();
    run(() -> tracker.apply(new SocketDelta(A1, "ann", -1)));
    assertTrue(on(() -> tracker.isOnline("ann")), "online during the grace period");
    await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 2);
    assertEquals("ann offline", changes.get(1));
    assertTrue(System.nanoTime() - closed >= TimeUnit.MILLISECONDS.toNanos(GRACE_MS), "not before the grace period");
    assertEquals(0, online.get());
  }

  @Test
  void aReconnectWithinTheGracePeriodShowsNoFlap() {
    run(() -> tracker.apply(new SocketDelta(A1, "bob", 1)));
    run(() -> tracker.apply(new SocketDelta(A1, "bob", -1)));
    run(() -> tracker.apply(new SocketDelta(B1, "bob", 1)));
    await().during(Duration.ofMillis(GRACE_MS * 2)).atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
    assertEquals(List.of("bob online"), changes);
  }

  @Test
  void aUserStaysOnlineWhileAnySourceHoldsASocket() {
    run(() -> tracker.apply(new SocketDelta(A1, "cat", 1)));
    run(() -> tracker.apply(new SocketDelta(A2, "cat", 1)));
    run(() -> tracker.apply(new SocketDelta(A1, "cat", -1)));
    await().during(Duration.ofMillis(GRACE_MS * 2)).atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
    assertTrue(on(() -> tracker.isOnline("cat")));
  }

  @Test
  void aHeartbeatThatCountsOtherEventsThanWereAppliedAsksThatSourceForItsCounts() {
    run(() -> tracker.apply(new SocketDelta(A1, "dan", 1)));
    run(() -> tracker.heartbeat(new SourceHeartbeat(A1, 1)));
    assertEquals(List.of(), resyncs, "in step: nothing to ask");
    run(() -> tracker.heartbeat(new SourceHeartbeat(A1, 3)));
    assertEquals(List.of("a1"), resyncs);
    run(() -> tracker.heartbeat(new SourceHeartbeat(A1, 3)));
    assertEquals(List.of("a1"), resyncs, "asked at most once a second");
    run(() -> tracker.heartbeat(new SourceHeartbeat(B1, 0)));
    assertEquals(List.of("a1", "b1"), resyncs, "an unknown source is asked too");
  }

  @Test
  void aSnapshotReplacesWhatWasKnownOfItsSource() {
    run(() -> tracker.apply(new SocketDelta(A1, "eve", 1)));
    run(() -> tracker.apply(new SocketDelta(A1, "fay", 1)));
    run(() -> tracker.snapshot(new SourceSnapshot(A1, 5, Map.of("fay", 2, "gil", 1))));
    assertEquals(List.of("eve online", "fay online", "gil online"), changes);
    await().atMost(Duration.ofSeconds(5)).until(() -> changes.contains("eve offline"));
    assertTrue(on(() -> tracker.isOnline("fay")));
    run(() -> tracker.heartbeat(new SourceHeartbeat(A1, 5)));
    assertEquals(List.of(), resyncs, "the snapshot's event count is the new baseline");
  }

  @Test
  void aNodeThatLeavesTakesItsUsersOfflineAndIsIgnoredUntilItRejoins() {
    run(() -> tracker.apply(new SocketDelta(A1, "hal", 1)));
    run(() -> tracker.apply(new SocketDelta(B1, "ivy", 1)));
    run(() -> tracker.dropNode("node-a"));
    await().atMost(Duration.ofSeconds(5)).until(() -> changes.contains("hal offline"));
    // a node cut off by a partition still talks: its late events are ignored
    run(() -> tracker.apply(new SocketDelta(A1, "jay", 1)));
    assertFalse(on(() -> tracker.isOnline("jay")));
    assertTrue(on(() -> tracker.isOnline("ivy")));
    run(() -> tracker.nodeAdded("node-a"));
    run(() -> tracker.apply(new SocketDelta(A1, "jay", 1)));
    assertTrue(on(() -> tracker.isOnline("jay")));
  }

  @Test
  void aSourceSilentForLongerThanItsTtlIsDropped() {
    run(() -> tracker.apply(new SocketDelta(A1, "kim", 1)));
    run(() -> tracker.apply(new SocketDelta(B1, "lee", 1)));
    await().pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10)).until(() -> {
      run(() -> tracker.heartbeat(new SourceHeartbeat(B1, 1)));
      run(tracker::sweep);
      return changes.contains("kim offline");
    });
    assertTrue(on(() -> tracker.isOnline("lee")), "a source that heartbeats is kept");
    assertEquals(1, (int) on(tracker::sourceCount));
  }

  private void run(Runnable action) {
    on(() -> {
      action.run();
      return null;
    });
  }

  private <T> T on(Supplier<T> action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(action.get());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    return result.orTimeout(10, TimeUnit.SECONDS).join();
  }
}
