package io.chatpresence.bench;

import io.chatpresence.server.auth.Tokens;
import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One generator process of the storm ({@link Storm}): the users {@code from} to {@code to} of {@code n}, named
 * {@code stem + i}. A process may hold 20,000 open files here, so 10,000 users (20,000 sockets) need two.
 * Arguments: chatPort presencePort stem n from to firstInFlight. It answers {@code READY {}}, then follows its
 * orders one line at a time: {@code FIRST} (connect, at most firstInFlight at a time), {@code CUT} (close
 * every socket, wait for the closes), {@code GO} (all at once); each answered with its pass's JSON. It closes
 * its sockets and ends when its input closes.
 */
public final class StormWorker {
  private StormWorker() {
  }

  public static void main(String[] args) throws IOException {
    int chatPort = Integer.parseInt(args[0]);
    int presencePort = Integer.parseInt(args[1]);
    String stem = args[2];
    int n = Integer.parseInt(args[3]);
    int from = Integer.parseInt(args[4]);
    int to = Integer.parseInt(args[5]);
    int firstInFlight = Integer.parseInt(args[6]);
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      names.add(stem + i);
    }
    try (Gen gen = new Gen(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
      Tokens tokens = Bench.await(Tokens.create(gen.vertx,
        ConfigKeys.defaults().put(ConfigKeys.JWT_SECRET, BenchServer.SECRET)));
      List<String> jwts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        jwts.add(i >= from && i < to ? tokens.issue(names.get(i)).token() : null);
      }
      Storm storm = new Storm(gen);
      List<Gen.Sock> socks = new ArrayList<>();
      answer("READY", new JsonObject());
      BufferedReader orders = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String order;
      while ((order = orders.readLine()) != null) {
        switch (order.trim()) {
          case "FIRST" -> answer("FIRST", storm.pass("first connect", names, from, to, jwts::get, chatPort,
            presencePort, firstInFlight, socks));
          case "CUT" -> {
            Bench.await(storm.cutAll(socks));
            socks.clear();
            answer("CUT", new JsonObject());
          }
          case "GO" -> answer("STORM", storm.pass("storm", names, from, to, jwts::get, chatPort, presencePort,
            2 * (to - from), socks));
          default -> throw new IllegalArgumentException("unknown order " + order);
        }
      }
      gen.closeAll(socks);
    }
    System.exit(0);
  }

  private static void answer(String tag, JsonObject body) {
    System.out.println(tag + " " + body.encode());
    System.out.flush();
  }
}
