package io.chatpresence.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The reconnect storm (issue 16): users, each with a chat and a presence socket and four contacts (chats with
 * the next two users of a ring and, so, with the previous two), all connected and settled; then every socket is
 * cut at once and every user reconnects at once, as when the node that held them died. Measured from the
 * moment the reconnects start: until every socket is authenticated, and until every user's presence socket
 * shows all four contacts online again (it counts PRESENCE_UPDATE frames: online adds, offline removes).
 */
final class Storm {
  static final int CONTACTS = 4;

  /** What one user's presence socket believes; touched only on its shard's event loop. */
  private static final class View {
    final Set<String> contacts;
    final Set<String> online = new HashSet<>();
    boolean complete;

    View(Set<String> contacts) {
      this.contacts = contacts;
    }
  }

  private final Gen gen;
  private final AtomicInteger complete = new AtomicInteger();

  Storm(Gen gen) {
    this.gen = gen;
  }

  /** The two users after each user in the ring: the chats to create (as pairs of indexes). */
  static List<int[]> ringChats(int users) {
    List<int[]> chats = new ArrayList<>(users * 2);
    for (int i = 0; i < users; i++) {
      chats.add(new int[]{i, (i + 1) % users});
      chats.add(new int[]{i, (i + 2) % users});
    }
    return chats;
  }

  /**
   * One pass over the users {@code from} to {@code to} of {@code names} (a worker's slice; contacts are counted
   * over all of them): each connects (chat and presence), at most {@code inFlight} sockets at a time. Answers
   * with the moments ({@link System#nanoTime}, which is the machine's monotonic clock, so comparable across
   * the processes of one run) when it started, when every socket was authenticated, and when every user's
   * presence socket showed all its contacts online.
   */
  JsonObject pass(String label, List<String> names, int from, int to, IntFunction<String> token, int chatPort,
                  int presencePort, int inFlight, List<Gen.Sock> opened) {
    int n = names.size();
    int users = to - from;
    List<View> views = new ArrayList<>(users);
    for (int i = from; i < to; i++) {
      Set<String> contacts = new HashSet<>();
      for (int d : new int[]{1, 2, n - 1, n - 2}) {
        contacts.add(names.get((i + d) % n));
      }
      views.add(new View(contacts));
    }
    complete.set(0);
    AtomicInteger authed = new AtomicInteger();
    AtomicInteger chatAuthed = new AtomicInteger();
    AtomicInteger presenceAuthed = new AtomicInteger();
    long[] allAuthedAt = {0};
    // per server: which of the two the storm waits on
    long[] chatAuthedAt = {0};
    long[] presenceAuthedAt = {0};
    long[] allPresentAt = {0};
    // connect to SUCCESS, per socket, in ms: [0] chat, [1] presence
    List<List<Double>> latencies = List.of(java.util.Collections.synchronizedList(new ArrayList<>()),
      java.util.Collections.synchronizedList(new ArrayList<>()));
    long t0 = System.nanoTime();
    java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(inFlight);
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = from; i < to && failures.isEmpty(); i++) {
      int shard = i % gen.shards.size();
      View view = views.get(i - from);
      Gen.Sock presence = new Gen.Sock(shard, names.get(i));
      presence.onText = text -> {
        if (text.startsWith("{\"type\":\"PRESENCE_UPDATE\"")) {
          seen(view, new JsonObject(text), allPresentAt, users);
        }
      };
      Gen.Sock chat = new Gen.Sock(shard, names.get(i));
      String jwt = token.apply(i);
      for (Gen.Sock sock : new Gen.Sock[]{chat, presence}) {
        permits.acquireUninterruptibly();
        int port = sock == chat ? chatPort : presencePort;
        long asked = System.nanoTime();
        gen.connect(sock, port, jwt, null).onComplete(ar -> {
          permits.release();
          if (ar.failed()) {
            failures.add(ar.cause());
            return;
          }
          synchronized (opened) {
            opened.add(sock);
          }
          long now = System.nanoTime();
          latencies.get(sock == chat ? 0 : 1).add((now - asked) / 1e6);
          if ((sock == chat ? chatAuthed : presenceAuthed).incrementAndGet() == users) {
            (sock == chat ? chatAuthedAt : presenceAuthedAt)[0] = now;
          }
          if (authed.incrementAndGet() == 2 * users) {
            allAuthedAt[0] = now;
          }
        });
      }
    }
    Bench.waitFor(() -> !failures.isEmpty() || (allAuthedAt[0] != 0 && allPresentAt[0] != 0), 300,
      label + ": every socket authenticated and every contact online");
    if (!failures.isEmpty()) {
      throw new IllegalStateException(label + ": " + failures.size() + " connections failed, first: " + failures.get(0));
    }
    return new JsonObject().put("users", users).put("sockets", 2 * users).put("startNanos", t0)
      .put("authenticatedNanos", allAuthedAt[0]).put("presenceSettledNanos", allPresentAt[0])
      .put("chatAuthenticatedNanos", chatAuthedAt[0]).put("presenceAuthenticatedNanos", presenceAuthedAt[0])
      .put("chatConnectMs", percentiles(latencies.get(0))).put("presenceConnectMs", percentiles(latencies.get(1)));
  }

  private static JsonObject percentiles(List<Double> ms) {
    List<Double> sorted = new ArrayList<>(ms);
    java.util.Collections.sort(sorted);
    JsonObject p = new JsonObject();
    for (double q : new double[]{0.5, 0.9, 0.99, 1.0}) {
      p.put(q == 1.0 ? "max" : "p" + Math.round(q * 100),
        sorted.isEmpty() ? 0 : Math.round(sorted.get((int) Math.min(sorted.size() - 1, q * sorted.size())) * 10) / 10.0);
    }
    return p;
  }

  /** As below, from the earliest start of the passes. */
  static JsonObject merge(String label, List<JsonObject> passes) {
    return merge(label, passes.stream().mapToLong(p -> p.getLong("startNanos")).min().orElseThrow(), passes);
  }

  /**
   * The passes of the workers of one run, as one: from the earliest start to the last socket authenticated
   * and the last contact online; printed under {@code label}.
   */
  static JsonObject merge(String label, long start, List<JsonObject> passes) {
    int users = 0;
    long authed = 0;
    long present = 0;
    long chat = 0;
    long presence = 0;
    for (JsonObject p : passes) {
      users += p.getInteger("users");
      authed = Math.max(authed, p.getLong("authenticatedNanos"));
      present = Math.max(present, p.getLong("presenceSettledNanos"));
      chat = Math.max(chat, p.getLong("chatAuthenticatedNanos"));
      presence = Math.max(presence, p.getLong("presenceAuthenticatedNanos"));
    }
    double authSeconds = (authed - start) / 1e9;
    double presenceSeconds = (present - start) / 1e9;
    for (JsonObject p : passes) {
      System.out.println("    a worker's connect to SUCCESS, ms: chat " + p.getJsonObject("chatConnectMs").encode()
        + ", presence " + p.getJsonObject("presenceConnectMs").encode());
    }
    System.out.printf("  %s: %,d users, %,d sockets authenticated in %.2f s (%,.0f sockets/s; chat sockets %.2f s, "
      + "presence sockets %.2f s); every contact online in %.2f s%n", label, users, 2 * users, authSeconds,
      2 * users / authSeconds, (chat - start) / 1e9, (presence - start) / 1e9, presenceSeconds);
    return new JsonObject().put("users", users).put("sockets", 2 * users).put("workers", passes.size())
      .put("authenticatedSeconds", authSeconds).put("connectAuthPerSecond", 2 * users / authSeconds)
      .put("chatAuthenticatedSeconds", (chat - start) / 1e9)
      .put("presenceAuthenticatedSeconds", (presence - start) / 1e9)
      .put("presenceSettledSeconds", presenceSeconds);
  }

  private void seen(View view, JsonObject update, long[] allPresentAt, int users) {
    String who = update.getString("username");
    if (!view.contacts.contains(who)) {
      return;
    }
    if ("online".equals(update.getString("status"))) {
      view.online.add(who);
    } else {
      view.online.remove(who);
    }
    boolean now = view.online.size() == view.contacts.size();
    if (now != view.complete) {
      view.complete = now;
      if (complete.addAndGet(now ? 1 : -1) == users) {
        allPresentAt[0] = System.nanoTime();
      }
    }
  }

  /**
   * Closes every socket; completes when all are closed, so that the storm's new sockets do not meet the old
   * ones' descriptors under the open-files limit (both would not fit in one process).
   */
  Future<Void> cutAll(List<Gen.Sock> socks) {
    List<Future<Void>> closed = new ArrayList<>(socks.size());
    for (Gen.Sock s : socks) {
      s.closing = true;
      Promise<Void> done = Promise.promise();
      gen.shards.get(s.shard).runOnContext(v -> s.ws.close((short) 1001, "storm").onComplete(done));
      closed.add(done.future());
    }
    return Future.join(closed).mapEmpty();
  }
}
