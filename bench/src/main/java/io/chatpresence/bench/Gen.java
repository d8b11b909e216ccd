package io.chatpresence.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator: its own Vert.x instance, one shard per event loop, many sockets per shard. Each socket
 * lives on its shard's event loop (its handlers run there), so a shard's counters need no locks. Every
 * {@value #PER_SOURCE} sockets the source address moves on (the kernel's choice, then 127.0.0.2, ...), past
 * the ~28k ephemeral ports of one address.
 */
final class Gen implements AutoCloseable {
  static final int PER_SOURCE = 25_000;

  final Vertx vertx;
  final List<Context> shards;
  private final List<WebSocketClient> clients = new ArrayList<>();
  /** Sockets connecting or open now (not every one ever opened: a run that reconnects stays on one source). */
  private final AtomicInteger live = new AtomicInteger();
  final AtomicLong closedUnexpectedly = new AtomicLong();
  private volatile long lastFrameNanos = System.nanoTime();

  /** One socket of the generator. {@link #onText} sees every frame after the AUTH answer. */
  static final class Sock {
    final int shard;
    final String name;
    WebSocket ws;
    volatile Handler<String> onText = t -> { };
    volatile boolean closing;

    Sock(int shard, String name) {
      this.shard = shard;
      this.name = name;
    }

    void send(String text) {
      ws.writeTextMessage(text);
    }
  }

  Gen(int eventLoops) {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(Boolean.parseBoolean(System.getProperty("bench.native", "true"))));
    List<Context> contexts = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < eventLoops; i++) {
      Bench.await(vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          contexts.add(context);
          return Future.succeededFuture();
        }
      }));
    }
    shards = List.copyOf(contexts);
  }

  private synchronized WebSocketClient client(int index) {
    while (clients.size() <= index) {
      WebSocketClientOptions options = new WebSocketClientOptions();
      if (!clients.isEmpty()) {
        // Not for the first: bind() before connect() searches the ephemeral ports for one free on that address
        // whatever the destination, in the kernel, under every socket and TIME_WAIT; connect() alone picks per
        // destination. In the storm the search took 38-43 s of system CPU in each generator process.
        options.setLocalAddress("127.0.0." + (clients.size() + 1));
      }
      clients.add(vertx.createWebSocketClient(options
        .setMaxConnections(1_000_000)
        .setConnectTimeout(30_000)
        // SYNC pages of 1,000 messages are one frame of a few hundred KB: browsers take them, so do we
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024)
        // -Dbench.compression=true: offer permessage-deflate, as browsers do
        .setTryUsePerMessageCompression(Boolean.getBoolean("bench.compression"))));
    }
    return clients.get(index);
  }

  /** Connects on the shard's event loop, sends AUTH and completes at its SUCCESS (fails on anything else). */
  Future<Sock> connect(int shard, int port, String name, String token) {
    return connect(shard, port, name, token, null);
  }

  /** As above, opting into {@code features} (a JSON array's text, e.g. {@code ["read"]}) at AUTH when not null. */
  Future<Sock> connect(int shard, int port, String name, String token, String features) {
    return connect(new Sock(shard, name), port, token, features);
  }

  /** As above for a socket made by the caller, whose {@link Sock#onText} is set before the first frame. */
  Future<Sock> connect(Sock sock, int port, String token, String features) {
    int shard = sock.shard;
    Promise<Sock> done = Promise.promise();
    WebSocketClient client = client(live.getAndIncrement() / PER_SOURCE);
    shards.get(shard).runOnContext(v -> client
      .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/"))
      .onFailure(e -> {
        live.decrementAndGet();
        done.tryFail(e);
      })
      .onSuccess(ws -> {
        sock.ws = ws;
        boolean[] authed = {false};
        ws.textMessageHandler(text -> {
          if (authed[0]) {
            lastFrameNanos = System.nanoTime();
            sock.onText.handle(text);
          } else if (text.contains("\"SUCCESS\"")) {
            authed[0] = true;
            done.tryComplete(sock);
          } else {
            done.tryFail("AUTH answered " + text);
          }
        });
        ws.closeHandler(c -> {
          live.decrementAndGet();
          if (!sock.closing) {
            closedUnexpectedly.incrementAndGet();
          }
          done.tryFail("closed " + ws.closeStatusCode() + " " + ws.closeReason());
        });
        ws.writeTextMessage("{\"type\":\"AUTH\",\"token\":\"" + token + "\""
          + (features == null ? "" : ",\"features\":" + features) + "}");
      }));
    return done.future();
  }

  record Spec(int shard, int port, String name, String token, String features) {
    Spec(int shard, int port, String name, String token) {
      this(shard, port, name, token, null);
    }
  }

  /** Opens them all, at most {@code inFlight} at a time; throws on the first failure. */
  List<Sock> connectAll(List<Spec> specs, int inFlight, String label) {
    Semaphore permits = new Semaphore(inFlight);
    Sock[] socks = new Sock[specs.size()];
    AtomicInteger done = new AtomicInteger();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    long lastPrint = System.nanoTime();
    try {
      for (int i = 0; i < specs.size() && failures.isEmpty(); i++) {
        permits.acquire();
        int index = i;
        Spec s = specs.get(i);
        connect(s.shard, s.port, s.name, s.token, s.features).onComplete(ar -> {
          if (ar.succeeded()) {
            socks[index] = ar.result();
          } else {
            failures.add(ar.cause());
          }
          done.incrementAndGet();
          permits.release();
        });
        if (System.nanoTime() - lastPrint > 1_000_000_000L) {
          lastPrint = System.nanoTime();
          System.out.printf("  %s: %,d / %,d sockets%n", label, done.get(), specs.size());
        }
      }
      if (!permits.tryAcquire(inFlight, 120, TimeUnit.SECONDS)) {
        throw new IllegalStateException(label + ": connections did not finish in 120 s");
      }
      permits.release(inFlight);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(label + ": " + failures.size() + " connections failed, first: "
        + failures.get(0), failures.get(0));
    }
    return List.of(socks);
  }

  /** Waits (at most {@code maxSeconds}) until no frame has arrived for {@code quietMillis}: the backlog is gone. */
  void waitQuiet(long quietMillis, int maxSeconds) {
    long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
    while (System.nanoTime() - lastFrameNanos < quietMillis * 1_000_000L && System.nanoTime() < deadline) {
      Bench.pause(50);
    }
  }

  /** Closes the sockets and waits (bounded) until they are closed. */
  void closeAll(List<Sock> socks) {
    CountDownLatch closed = new CountDownLatch(socks.size());
    for (Sock s : socks) {
      s.closing = true;
      shards.get(s.shard).runOnContext(v -> s.ws.close().onComplete(ar -> closed.countDown()));
    }
    try {
      closed.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs the same in every shard on its own event loop and waits for it. */
  void onEveryShard(java.util.function.IntConsumer action) {
    CountDownLatch done = new CountDownLatch(shards.size());
    for (int i = 0; i < shards.size(); i++) {
      int shard = i;
      shards.get(i).runOnContext(v -> {
        try {
          action.accept(shard);
        } finally {
          done.countDown();
        }
      });
    }
    try {
      done.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Callback of {@link #openLoop}: the k-th send of this shard, due at {@code intendedNanos}. */
  interface Sender {
    void send(int shard, long k, long intendedNanos);
  }

  /**
   * Open loop: each shard sends at {@code ratePerShard} on a schedule fixed in advance (send k is due at
   * start + k / rate) from a 1 ms timer; a late timer sends what is due at once, stamped with the intended time,
   * so a slow server shows as latency (coordinated omission corrected). Blocks until {@code endNanos}.
   */
  void openLoop(double ratePerShard, long startNanos, long endNanos, Sender sender) {
    CountDownLatch done = new CountDownLatch(shards.size());
    double interval = 1e9 / ratePerShard;
    for (int i = 0; i < shards.size(); i++) {
      int shard = i;
      shards.get(i).runOnContext(v -> {
        long[] sent = {0};
        vertx.setPeriodic(1, 1, id -> {
          long now = System.nanoTime();
          long due = (long) ((Math.min(now, endNanos) - startNanos) / interval) + 1;
          while (sent[0] < due && startNanos + (long) (sent[0] * interval) < endNanos) {
            long k = sent[0]++;
            sender.send(shard, k, startNanos + (long) (k * interval));
          }
          if (now >= endNanos) {
            vertx.cancelTimer(id);
            done.countDown();
          }
        });
      });
    }
    try {
      if (!done.await(Math.max(10, (endNanos - System.nanoTime()) / 1_000_000_000L + 30), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the send loop did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    Bench.await(vertx.close());
  }
}
