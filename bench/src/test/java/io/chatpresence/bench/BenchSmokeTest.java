package io.chatpresence.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every scenario for a few seconds at tiny sizes, so the benchmark cannot rot. Asserts only that figures
 * were produced and written, never how fast: timings on a shared CI machine are not a test.
 */
class BenchSmokeTest {

  @Test
  void everyScenarioProducesFigures() throws Exception {
    Path out = Path.of("target", "bench-results");
    JsonObject all = Bench.run("all", Sizes.quick(), out);

    JsonObject connections = all.getJsonObject("connections").getJsonObject("result");
    assertEquals(2 * Sizes.quick().connectionUsers(), connections.getInteger("sockets"));
    assertTrue(connections.getDouble("connectAuthPerSecond") > 0);
    assertTrue(connections.containsKey("heapPlusDirectPerSocket"));

    JsonObject direct = all.getJsonObject("direct").getJsonObject("result");
    for (String server : new String[]{"product", "relay"}) {
      JsonArray steps = direct.getJsonArray(server);
      assertFalse(steps.isEmpty(), server);
      JsonObject first = steps.getJsonObject(0);
      assertTrue(first.getLong("receivedOfWindow") > 0, server + " delivered nothing");
      assertTrue(first.getDouble("p99Ms") > 0, server);
    }
    assertTrue(direct.getDouble("ratioToRelay") > 0);
    JsonObject closedLoop = direct.getJsonObject("closedLoop");
    assertTrue(closedLoop.getDouble("storedPerSecond") > 0, "closed loop stored nothing");
    assertTrue(closedLoop.getDouble("pgCpuUsPerMessage") > 0);
    assertFalse(closedLoop.getJsonArray("topStatements").isEmpty());
    assertTrue(Files.size(out.resolve("direct-latency.png")) > 0);

    JsonObject cluster = all.getJsonObject("cluster").getJsonObject("result");
    assertEquals(2, cluster.getInteger("nodes"));
    for (String server : new String[]{"acrossNodes", "oneNode"}) {
      JsonObject first = cluster.getJsonArray(server).getJsonObject(0);
      assertTrue(first.getLong("receivedOfWindow") > 0, server + " delivered nothing");
      assertTrue(first.getDouble("p99Ms") > 0, server);
    }
    assertTrue(cluster.getDouble("ratioToOneNode") > 0);

    JsonArray groups = all.getJsonObject("fanout").getJsonObject("result").getJsonArray("groups");
    assertEquals(2 * Sizes.quick().fanoutGroups().size(), groups.size()); // a light and a full load each
    assertTrue(groups.getJsonObject(0).getLong("messagesReachingAll") > 0);

    JsonObject history = all.getJsonObject("history").getJsonObject("result");
    assertTrue(history.getLong("receivedOfWindow") > 0);
    assertEquals(0L, history.getLong("errors"));

    JsonObject read = all.getJsonObject("read").getJsonObject("result");
    for (String leg : new String[]{"plain", "marking"}) {
      JsonObject first = read.getJsonArray(leg).getJsonObject(0);
      assertTrue(first.getLong("receivedOfWindow") > 0, leg + " delivered nothing");
      assertEquals(0L, first.getLong("errors"), leg);
      assertTrue(first.getDouble("pgCpuMsPerMessage") > 0, leg);
      JsonObject round = read.getJsonArray("rounds").getJsonObject(0).getJsonObject(leg);
      assertTrue(round.getLong("receivedOfWindow") > 0, leg + " delivered nothing in the alternating round");
    }
    assertEquals(1, read.getJsonArray("roundsP99DeltaMs").size());
    JsonObject typing = all.getJsonObject("typing").getJsonObject("result");
    JsonObject typingStep = typing.getJsonArray("steps").getJsonObject(0);
    assertTrue(typingStep.getDouble("typingFramesReceivedPerSecond") > 0);
    assertTrue(typingStep.getJsonObject("withTyping").getLong("receivedOfWindow") > 0);

    JsonObject inbox = all.getJsonObject("inbox").getJsonObject("result");
    assertTrue(inbox.getJsonObject("firstPage").getLong("receivedOfWindow") > 0);
    assertEquals(0L, inbox.getJsonObject("firstPage").getLong("errors"));
    assertEquals(0L, inbox.getJsonObject("furtherPages").getLong("errors"));

    JsonObject edits = all.getJsonObject("edits").getJsonObject("result");
    for (String leg : new String[]{"plain", "editing"}) {
      JsonObject first = edits.getJsonArray(leg).getJsonObject(0);
      assertTrue(first.getLong("receivedOfWindow") > 0, leg + " delivered nothing");
      assertEquals(0L, first.getLong("errors"), leg);
    }
    assertTrue(edits.getJsonArray("editing").getJsonObject(0).getDouble("changesToldPerSecond") > 0);

    JsonObject storm = all.getJsonObject("storm").getJsonObject("result").getJsonObject("storm");
    assertTrue(storm.getDouble("authenticatedSeconds") > 0);
    assertTrue(storm.getDouble("presenceSettledSeconds") > 0);

    JsonObject sync = all.getJsonObject("sync").getJsonObject("result");
    assertTrue(sync.getJsonObject("latency").getLong("receivedOfWindow") > 0);
    assertEquals(0L, sync.getJsonObject("latency").getLong("errors"));
    assertEquals(3, sync.getJsonArray("pagingRuns").size());

    for (String s : Bench.SCENARIOS) {
      assertTrue(Files.exists(out.resolve(s + ".json")), s);
      assertTrue(Files.exists(out.resolve(s + ".md")), s);
    }
  }
}
