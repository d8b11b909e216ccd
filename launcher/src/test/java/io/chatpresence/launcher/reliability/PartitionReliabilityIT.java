package io.chatpresence.launcher.reliability;

import io.chatpresence.launcher.reliability.netns.Netns;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 1, partition (issue 17): nodes A and B (chat + presence) and C (chat) in three namespaces, one
 * Hazelcast cluster over their addresses, one PostgreSQL. Clients on each node send to clients on the others;
 * C is cut off (its link down) for 30 s (short: 15 s) while they go on, and users on C come and go meanwhile;
 * then the link is healed. Required: every acknowledged message stored exactly once (after the clients'
 * retries), sends during the cut acknowledged and found by the recipients' catch-up, presence seen from A and
 * from B equal to the truth within 30 s of the heal, the merge in the logs, every node ready after.
 */
class PartitionReliabilityIT {
  private static final String SECRET = "partition-reliability-secret-0123456789";
  private static final long CONVERGE_MS = 30_000;

  private final Vertx vertx = Vertx.vertx();
  private final List<ChatUser> users = new ArrayList<>();
  private final List<WsClient> others = new ArrayList<>();

  @AfterEach
  void close() {
    users.forEach(ChatUser::close);
    others.forEach(WsClient::close);
    vertx.close();
  }

  @Test
  void aNodeCutOffAndHealedLosesNothingAcknowledgedAndPresenceConverges() throws Exception {
    long cutMs = Figures.full() ? 30_000 : 15_000;
    int perNode = Figures.size(2, 4);
    try (Netns net = Netns.create("partition", VanishReliabilityIT.pgPort())) {
      Netns.Node a = net.node("a", 1);
      Netns.Node b = net.node("b", 2);
      Netns.Node c = net.node("c", 3);
      List<Netns.Node> members = List.of(a, b, c);
      Map<String, String> env = Map.of("JWT_SECRET", SECRET, "PASSWORD_ITERATIONS", "1000",
        "CLUSTER_NAME", "partition-" + UUID.randomUUID(), "JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC",
        "DATA_DIR", Files.createTempDirectory("partition-data").toString());
      Map<Netns.Node, Process> processes = new LinkedHashMap<>();
      Map<Netns.Node, Path> logs = new HashMap<>();
      for (Netns.Node n : members) {
        Map<String, String> nodeEnv = new HashMap<>(env);
        nodeEnv.put("VERTX_HAZELCAST_CONFIG", net.hazelcastConfig(n, members).toString());
        logs.put(n, net.dir().resolve("node-" + n.name + ".log"));
        processes.put(n, n.startProduct(logs.get(n), nodeEnv, n == c ? "chat" : "all", "-cluster"));
      }
      Map<Netns.Node, Integer> chat = new HashMap<>();
      for (Netns.Node n : members) {
        chat.put(n, n.local(4000));
        Netns.awaitReady(processes.get(n), chat.get(n), logs.get(n), Duration.ofSeconds(180));
      }
      int presenceA = a.local(5000);
      int presenceB = b.local(5000);

      // users on each node; two watchers (presence on A and on B) have them all as contacts
      Rest rest = new Rest(chat.get(a));
      String run = Long.toString(System.nanoTime() % 1_000_000, 36);
      Map<ChatUser, Netns.Node> home = new LinkedHashMap<>();
      for (Netns.Node n : members) {
        for (int i = 0; i < perNode + (n == c ? 1 : 0); i++) {
          String name = "p" + n.name + i + "_" + run;
          ChatUser u = new ChatUser(name, rest.register(name, "password-" + name));
          users.add(u);
          home.put(u, n);
        }
      }
      // the last user of C connects only during the cut
      ChatUser lateOnC = users.stream().filter(u -> home.get(u) == c).reduce((x, y) -> y).orElseThrow();
      ChatUser leavesOnC = users.stream().filter(u -> home.get(u) == c).findFirst().orElseThrow();
      Set<String> names = new HashSet<>();
      users.forEach(u -> names.add(u.name));
      String watcher = "pwatch_" + run;
      String watcherToken = rest.register(watcher, "password-watcher");
      for (ChatUser u : users) {
        assertEquals(200, rest.post("/api/chats", new JsonObject().put("with", u.name), watcherToken).status());
      }
      PresenceView fromA = new PresenceView(watch(presenceA, watcherToken));
      PresenceView fromB = new PresenceView(watch(presenceB, watcherToken));
      Set<String> truth = new HashSet<>();
      for (ChatUser u : users) {
        if (u != lateOnC) {
          u.connect(vertx, chat.get(home.get(u)));
          truth.add(u.name);
        }
      }
      // the cluster works: A and B see the users of all three nodes
      await().atMost(Duration.ofSeconds(30)).until(() -> fromA.shows(names, truth) && fromB.shows(names, truth));

      List<ChatUser> senders = new ArrayList<>(users);
      Runnable round = () -> {
        for (ChatUser u : senders) {
          if (u.connected()) {
            List<ChatUser> elsewhere = users.stream().filter(o -> home.get(o) != home.get(u)).toList();
            u.send(elsewhere.get(u.sent.size() % elsewhere.size()).name);
          }
          u.poll();
        }
        fromA.poll();
        fromB.poll();
      };
      Pacer pacer = new Pacer(500);
      for (int i = 0; i < 6; i++) {
        pacer.await(round);
      }
      int sentBeforeCut = users.stream().mapToInt(u -> u.sent.size()).sum();

      // C is cut off; sending goes on everywhere, and on C one user leaves and another arrives
      long cutAt = System.nanoTime();
      net.cut(c);
      long churnAt = cutAt + cutMs / 3 * 1_000_000L;
      boolean churned = false;
      while (System.nanoTime() - cutAt < cutMs * 1_000_000L) {
        pacer.await(round);
        if (!churned && System.nanoTime() > churnAt) {
          churned = true;
          leavesOnC.poll();
          leavesOnC.socket.close();
          truth.remove(leavesOnC.name);
          lateOnC.connect(vertx, chat.get(c));
          truth.add(lateOnC.name);
        }
      }
      int sentByEnd = users.stream().mapToInt(u -> u.sent.size()).sum();
      // sends during the cut are stored and acknowledged all the same (PostgreSQL is reachable from C)
      long ackDeadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < ackDeadline && users.stream().anyMatch(u -> !u.poll().unackedSince.isEmpty()
        && u.connected())) {
        pacer.await(() -> { });
      }
      int unackedAtHeal = users.stream().filter(ChatUser::connected).mapToInt(u -> u.unackedSince.size()).sum();

      long healAt = System.nanoTime();
      net.heal(c);
      System.out.println("  healed at " + java.time.LocalTime.now());
      // presence seen from A and from B: the truth, within 30 s of the heal, and it stays so
      // both views polled together, so that each one's time is its own
      long[] converged = {-1, -1};
      PresenceView[] views = {fromA, fromB};
      await().atMost(Duration.ofMillis(CONVERGE_MS + 30_000)).pollInterval(Duration.ofMillis(100)).until(() -> {
        for (int i = 0; i < 2; i++) {
          boolean right = views[i].shows(names, truth);
          if (right && converged[i] < 0) {
            converged[i] = (System.nanoTime() - healAt) / 1_000_000;
          } else if (!right) {
            converged[i] = -1;
          }
        }
        return converged[0] >= 0 && converged[1] >= 0;
      });
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .until(() -> fromA.shows(names, truth) && fromB.shows(names, truth));
      System.out.println("  presence from A since the cut: " + fromA.timeline(cutAt));
      System.out.println("  presence from B since the cut: " + fromB.timeline(cutAt));
      System.out.println("  the cut lasted " + (healAt - cutAt) / 1_000_000 + " ms; truth after: " + truth
        + "; left during the cut: " + leavesOnC.name + ", came during the cut: " + lateOnC.name);

      // the clients retry whatever is unacknowledged, then catch up on what they missed
      for (ChatUser u : users) {
        if (!u.connected()) {
          u.connect(vertx, chat.get(home.get(u)));
        }
        u.resendUnacked();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> users.stream()
        .filter(u -> u.connected()).allMatch(u -> u.poll().unackedSince.isEmpty()));
      int retried = unackedAtHeal;

      Map<String, ChatUser> byName = new HashMap<>();
      users.forEach(u -> byName.put(u.name, u));

      // after the merge, delivery across the nodes works live again (each user sends one more round)
      int sentBeforeAfterRound = users.stream().mapToInt(u -> u.sent.size()).sum();
      List<String[]> afterHeal = new ArrayList<>();
      for (ChatUser u : users) {
        List<ChatUser> elsewhere = users.stream().filter(o -> home.get(o) != home.get(u)).toList();
        for (ChatUser to : elsewhere) {
          afterHeal.add(new String[] {u.name, u.send(to.name), to.name});
        }
      }
      long liveDeadline = System.nanoTime() + 15_000_000_000L;
      long afterHealLive = 0;
      while (System.nanoTime() < liveDeadline) {
        users.forEach(ChatUser::poll);
        afterHealLive = afterHeal.stream().filter(m -> {
          String messageId = byName.get(m[0]).acked.get(m[1]);
          return messageId != null && byName.get(m[2]).receivedLive.containsKey(messageId);
        }).count();
        if (afterHealLive == afterHeal.size()) {
          break;
        }
        pacer.await(() -> { });
      }
      sentByEnd += users.stream().mapToInt(u -> u.sent.size()).sum() - sentBeforeAfterRound;
      Map<String, Map<String, List<JsonObject>>> histories = new HashMap<>();
      for (ChatUser u : users) {
        try (WsClient catchUp = WsClient.authenticated(vertx, chat.get(home.get(u)), u.token)) {
          Map<String, List<JsonObject>> mine = new HashMap<>();
          for (ChatUser peer : users) {
            if (home.get(peer) != home.get(u)) {
              mine.put(peer.name, catchUp.oneToOneHistory(peer.name));
            }
          }
          histories.put(u.name, mine);
        }
      }
      int missing = 0;
      int duplicated = 0;
      int acked = 0;
      int deliveredLive = 0;
      int caughtUp = 0;
      int notReceived = 0;
      for (ChatUser u : users) {
        int[] audit = u.audit(histories.get(u.name));
        missing += audit[0];
        duplicated += audit[1];
        acked += u.acked.size();
        // each acknowledged message reached its recipient: live, or in the recipient's catch-up
        for (Map.Entry<String, String> ack : u.acked.entrySet()) {
          ChatUser to = byName.get(u.sent.get(ack.getKey())[0]);
          if (to.receivedLive.containsKey(ack.getValue())) {
            deliveredLive++;
          } else if (histories.get(to.name).get(u.name).stream()
            .anyMatch(m -> ack.getValue().equals(m.getString("messageId")))) {
            caughtUp++;
          } else {
            notReceived++;
          }
        }
      }
      Map<Netns.Node, Integer> ready = new HashMap<>();
      for (Netns.Node n : members) {
        ready.put(n, new Rest(chat.get(n)).get("/ready", null).status());
      }
      int presenceReadyA = new Rest(presenceA).get("/ready", null).status();
      int presenceReadyB = new Rest(presenceB).get("/ready", null).status();
      long merges = 0;
      for (Netns.Node n : members) {
        List<String> lines = Files.readAllLines(logs.get(n)).stream().filter(l -> l.toLowerCase().contains("merg")).toList();
        lines.forEach(l -> System.out.println("  [" + n.name + "] " + (l.length() > 200 ? l.substring(0, 200) : l)));
        merges += lines.size();
      }
      List<JsonObject> errors = new ArrayList<>();
      users.forEach(u -> errors.addAll(u.errors));

      new Figures("partition: C cut off from A and B, then healed")
        .put("users", users.size()).put("cut_s", cutMs / 1000)
        .put("sent", sentByEnd).put("sent_before_cut", sentBeforeCut).put("acknowledged", acked)
        .put("unacked_at_heal", unackedAtHeal).put("retried", retried)
        .put("missing", missing).put("duplicated", duplicated)
        .put("delivered_live", deliveredLive).put("delivered_by_catch_up", caughtUp).put("not_received", notReceived)
        .put("presence_converged_after_heal_ms_from_A", converged[0])
        .put("presence_converged_after_heal_ms_from_B", converged[1])
        .put("sent_after_heal", afterHeal.size()).put("after_heal_delivered_live", afterHealLive)
        .put("hazelcast_merge_log_lines", merges).put("error_frames", errors.size())
        .put("ready_chat_A_B_C", ready.get(a) + "/" + ready.get(b) + "/" + ready.get(c))
        .put("ready_presence_A_B", presenceReadyA + "/" + presenceReadyB).report();
      if (!errors.isEmpty()) {
        System.out.println("  error frames: " + errors.subList(0, Math.min(5, errors.size())));
      }
      assertEquals(0, unackedAtHeal, "sends during the cut left unacknowledged");
      assertEquals(sentByEnd, acked, "every message acknowledged in the end");
      assertEquals(0, missing, "acknowledged messages missing from history");
      assertEquals(0, duplicated, "messages stored twice");
      assertEquals(0, notReceived, "acknowledged messages that reached their recipient neither live nor by catch-up");
      assertTrue(converged[0] <= CONVERGE_MS && converged[1] <= CONVERGE_MS,
        "presence converged after " + converged[0] + " / " + converged[1] + " ms");
      assertTrue(merges > 0, "no Hazelcast merge in the nodes' logs");
      assertEquals(afterHeal.size(), afterHealLive, "messages sent after the heal delivered live across the nodes");
      for (Netns.Node n : members) {
        assertEquals(200, ready.get(n), "node " + n.name + " ready after the heal");
      }
      assertEquals(200, presenceReadyA);
      assertEquals(200, presenceReadyB);
    }
  }

  private WsClient watch(int port, String token) {
    WsClient c = WsClient.authenticated(vertx, port, token);
    others.add(c);
    return c;
  }

  /** Runs a round every {@code periodMs}, waiting on the clock (the clients' send schedule, not a test wait). */
  static final class Pacer {
    private final long periodNanos;
    private long next = System.nanoTime();

    Pacer(long periodMs) {
      this.periodNanos = periodMs * 1_000_000L;
    }

    void await(Runnable round) {
      next += periodNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
      }
      round.run();
    }
  }
}
