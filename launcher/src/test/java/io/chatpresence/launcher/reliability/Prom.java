package io.chatpresence.launcher.reliability;

import io.chatpresence.server.testing.Rest;

/** Sums of samples in a node's {@code /metrics} (Prometheus text), for the scenarios' figures and checks. */
final class Prom {
  private Prom() {
  }

  static String scrape(int port) {
    Rest.Response r = new Rest(port).get("/metrics", null);
    if (r.status() != 200) {
      throw new AssertionError("/metrics: " + r.status());
    }
    return r.body();
  }

  /** The sum of the samples of {@code name} whose line contains {@code label} (e.g. {@code server="chat"}). */
  static double sum(String text, String name, String label) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        if (label == null || line.contains(label)) {
          total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return total;
  }
}
