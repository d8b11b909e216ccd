package io.chatpresence.bench;

import java.util.List;

/** How big each scenario runs: {@link #full()} for people, {@link #quick()} for CI (a few seconds each). */
record Sizes(
  int connectionUsers,
  int directPairs, List<Integer> directRates, int stepSeconds, int warmupSeconds, List<Integer> clusterRates,
  List<Integer> fanoutGroups, int fanoutLightDeliveriesPerSecond, int fanoutDeliveriesPerSecond, int fanoutSeconds,
  int historyMessages, int historyRate, int historySeconds,
  int drainSeconds, int walMegabytes, int jitWarmupRate, int jitWarmupSeconds) {

  static Sizes full() {
    // connections: each user holds a chat and a presence socket (18,000 sockets), the server in its own JVM;
    // each process may open 20,000 files here (the hard limit)
    return new Sizes(9_000,
      100, List.of(1_000, 2_500, 5_000, 10_000, 20_000, 40_000, 80_000, 160_000), 8, 2,
      List.of(1_000, 2_500, 5_000, 10_000, 20_000, 40_000, 80_000, 160_000),
      List.of(100, 1_000, 10_000), 20_000, 200_000, 6,
      1_000_000, 500, 10,
      10, 768, 5_000, 20);
  }

  static Sizes quick() {
    return new Sizes(100,
      10, List.of(200, 500), 2, 1,
      List.of(200),
      List.of(20, 50), 500, 2_000, 2,
      5_000, 100, 2,
      5, 0, 0, 0);
  }
}
