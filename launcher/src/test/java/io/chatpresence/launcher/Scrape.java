package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One {@code GET /metrics}, parsed from the Prometheus text format. */
final class Scrape {
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  record Sample(String name, Map<String, String> labels, double value) {
  }

  final String text;
  final List<Sample> samples = new ArrayList<>();

  Scrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
        while (m.find()) {
          labels.put(m.group(1), m.group(2));
        }
      } else {
        name = line.substring(0, space);
      }
      samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
    }
  }

  static Scrape of(int port) {
    Rest.Response r = new Rest(port).get("/metrics", null);
    assertEquals(200, r.status(), r.body());
    return new Scrape(r.body());
  }

  /** The sum of the samples of {@code name} whose labels include {@code labels} (pairs: key, value, ...). */
  double sum(String name, String... labels) {
    double total = 0;
    for (Sample s : matching(name, labels)) {
      total += s.value();
    }
    return total;
  }

  List<Sample> matching(String name, String... labels) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= labels[i + 1].equals(s.labels().get(labels[i]));
      }
      if (all) {
        out.add(s);
      }
    }
    return out;
  }

  boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }

  void assertHas(String name) {
    assertTrue(has(name), () -> name + " missing from /metrics:\n" + text);
  }
}
