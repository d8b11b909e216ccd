package io.chatpresence.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

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

  /** One pass: every user connects (chat and presence) at most {@code inFlight} at a time. */
  JsonObject pass(String label, List<String> names, List<String> tokens, int chatPort, int presencePort, int inFlight,
                  List<Gen.Sock> opened) {
    int n = names.size();
    List<View> views = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Set<String> contacts = new HashSet<>();
      for (int d : new int[]{1, 2, n - 1, n - 2}) {
        contacts.add(names.get((i + d) % n));
      }
      views.add(new View(contacts));
    }
    complete.set(0);
    AtomicInteger authed = new AtomicInteger();
    long[] allAuthedAt = {0};
    long[] allPresentAt = {0};
    long t0 = System.nanoTime();
    java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(inFlight);
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < n && failures.isEmpty(); i++) {
      int shard = i % gen.shards.size();
      View view = views.get(i);
      Gen.Sock presence = new Gen.Sock(shard, names.get(i));
      presence.onText = text -> {
        if (text.startsWith("{\"type\":\"PRESENCE_UPDATE\"")) {
          seen(view, new JsonObject(text), allPresentAt, n);
        }
      };
      Gen.Sock chat = new Gen.Sock(shard, names.get(i));
      for (Gen.Sock sock : new Gen.Sock[]{chat, presence}) {
        permits.acquireUninterruptibly();
        int port = sock == chat ? chatPort : presencePort;
        gen.connect(sock, port, tokens.get(i), null).onComplete(ar -> {
          permits.release();
          if (ar.failed()) {
            failures.add(ar.cause());
            return;
          }
          synchronized (opened) {
            opened.add(sock);
          }
          if (authed.incrementAndGet() == 2 * n) {
            allAuthedAt[0] = System.nanoTime();
          }
        });
      }
    }
    Bench.waitFor(() -> !failures.isEmpty() || (allAuthedAt[0] != 0 && allPresentAt[0] != 0), 300,
      label + ": every socket authenticated and every contact online");
    if (!failures.isEmpty()) {
      throw new IllegalStateException(label + ": " + failures.size() + " connections failed, first: " + failures.get(0));
    }
    double authSeconds = (allAuthedAt[0] - t0) / 1e9;
    double presenceSeconds = (allPresentAt[0] - t0) / 1e9;
    System.out.printf("  %s: %,d users, %,d sockets authenticated in %.2f s (%,.0f sockets/s); every contact online "
      + "in %.2f s%n", label, n, 2 * n, authSeconds, 2 * n / authSeconds, presenceSeconds);
    return new JsonObject().put("users", n).put("sockets", 2 * n).put("authenticatedSeconds", authSeconds)
      .put("connectAuthPerSecond", 2 * n / authSeconds).put("presenceSettledSeconds", presenceSeconds);
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

  /** Closes every socket at once, without waiting for any: all users leave in the same instant. */
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
