package io.chatpresence.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Results as JSON and Markdown under bench/results/, and the latency chart (java.awt, headless). */
final class Report {
  private Report() {
  }

  static JsonObject sizes(Sizes s) {
    return new JsonObject()
      .put("connectionUsers", s.connectionUsers())
      .put("directPairs", s.directPairs()).put("directRates", new JsonArray(List.copyOf(s.directRates())))
      .put("stepSeconds", s.stepSeconds()).put("warmupSeconds", s.warmupSeconds())
      .put("clusterRates", new JsonArray(List.copyOf(s.clusterRates())))
      .put("fanoutGroups", new JsonArray(List.copyOf(s.fanoutGroups())))
      .put("fanoutLightDeliveriesPerSecond", s.fanoutLightDeliveriesPerSecond()).put("fanoutDeliveriesPerSecond", s.fanoutDeliveriesPerSecond()).put("fanoutSeconds", s.fanoutSeconds())
      .put("historyMessages", s.historyMessages()).put("historyRate", s.historyRate())
      .put("historySeconds", s.historySeconds()).put("drainSeconds", s.drainSeconds())
      .put("walMegabytes", s.walMegabytes())
      .put("jitWarmupRate", s.jitWarmupRate()).put("jitWarmupSeconds", s.jitWarmupSeconds());
  }

  static JsonObject machine() {
    Runtime rt = Runtime.getRuntime();
    return new JsonObject()
      .put("cores", rt.availableProcessors())
      .put("memTotalKb", procValue("/proc/meminfo", "MemTotal:"))
      .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
      .put("jvmArgs", new JsonArray(List.copyOf(ManagementFactory.getRuntimeMXBean().getInputArguments())))
      .put("maxHeapBytes", rt.maxMemory());
  }

  static long rss() {
    return procValue("/proc/self/status", "VmRSS:") * 1024;
  }

  static long procValue(String file, String key) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** PostgreSQL per message at each offered rate of the product (or across-nodes) sweep. */
  private static void pgSteps(StringBuilder md, JsonObject r) {
    JsonArray steps = r.containsKey("product") ? r.getJsonArray("product") : r.getJsonArray("acrossNodes");
    if (steps == null || steps.isEmpty() || !steps.getJsonObject(0).containsKey("pgCpuUsPerMessage")) {
      return;
    }
    md.append("\nPostgreSQL per message at each offered rate (").append(r.containsKey("product") ? "product" : "across nodes")
      .append("; CPU of all its processes over the step and its drain, divided by the messages sent):\n\n")
      .append("| offered msg/s | CPU µs/msg | commits/s | msgs/commit | WAL records/msg | WAL bytes/msg | WAL syncs/s |\n")
      .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < steps.size(); i++) {
      JsonObject st = steps.getJsonObject(i);
      md.append(String.format("| %,.0f | %.1f | %,.0f | %.1f | %.1f | %,.0f | %,.0f |%n", st.getDouble("offeredPerSecond"),
        st.getDouble("pgCpuUsPerMessage"), st.getDouble("pgCommitsPerSecond"), st.getDouble("messagesPerCommit"),
        st.getDouble("walRecordsPerMessage"), st.getDouble("walBytesPerMessage"), st.getDouble("walSyncsPerSecond")));
    }
  }

  /** The closed-loop saturation ({@code Saturation}) and the statements that cost most in it. */
  private static void closedLoop(StringBuilder md, JsonObject c) {
    if (c == null) {
      return;
    }
    md.append(String.format("%nClosed loop: %d pairs, %d messages in flight per sender: **stored %,.0f msg/s, delivered "
        + "%,.0f msg/s**; PostgreSQL %.1f µs CPU/msg, %,.0f commits/s, %.1f msgs/commit, %.1f WAL records/msg, %,.0f WAL "
        + "bytes/msg, %,.0f WAL syncs/s.%n%n| calls | rows | total ms | mean µs | statement (pg_stat_statements) |%n"
        + "| ---: | ---: | ---: | ---: | --- |%n", c.getInteger("pairs"), c.getInteger("inFlightPerSender"),
      c.getDouble("storedPerSecond"), c.getDouble("deliveredPerSecond"), c.getDouble("pgCpuUsPerMessage"),
      c.getDouble("pgCommitsPerSecond"), c.getDouble("messagesPerCommit"), c.getDouble("walRecordsPerMessage"),
      c.getDouble("walBytesPerMessage"), c.getDouble("walSyncsPerSecond")));
    JsonArray top = c.getJsonArray("topStatements");
    for (int i = 0; i < top.size(); i++) {
      JsonObject t = top.getJsonObject(i);
      md.append(String.format("| %,d | %,d | %,.0f | %.1f | `%s` |%n", t.getLong("calls"), t.getLong("rows"),
        t.getDouble("totalMs"), t.getDouble("meanUs"), t.getString("query").replace("|", "\\|")));
    }
  }

  static void write(Path out, String scenario, JsonObject result) throws IOException {
    Files.writeString(out.resolve(scenario + ".json"), result.encodePrettily() + "\n");
    StringBuilder md = new StringBuilder();
    md.append("# ").append(scenario).append("\n\n")
      .append("- date: ").append(result.getString("date")).append("\n")
      .append("- machine: ").append(result.getJsonObject("machine").encode()).append("\n\n");
    JsonObject r = result.getJsonObject("result");
    switch (scenario) {
      case "direct", "cluster" -> {
        md.append("| server | offered msg/s | delivered msg/s | p50 ms | p99 ms | p99.9 ms | max ms | all arrived |\n")
          .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        // the sweeps of Bench.pairSweeps: product (direct), across nodes and one node (cluster), the relay
        for (String[] leg : new String[][]{{"product", "product"}, {"acrossNodes", "across nodes"},
          {"oneNode", "one node"}, {"relay", "relay"}}) {
          if (r.containsKey(leg[0])) {
            rows(md, leg[1], r.getJsonArray(leg[0]));
          }
        }
        if ("cluster".equals(scenario)) {
          md.append(String.format("%nAcross nodes best %,.0f msg/s, one node best %,.0f msg/s: ratio %.2f.%n",
            r.getDouble("acrossNodesMaxDeliveredPerSecond"), r.getDouble("oneNodeMaxDeliveredPerSecond"),
            r.getDouble("ratioToOneNode")));
        } else {
          md.append(String.format("%nProduct best %,.0f msg/s, relay best %,.0f msg/s: ratio %.2f.%n%n"
              + "![latency against offered rate](direct-latency.png)%n",
            r.getDouble("productMaxDeliveredPerSecond"), r.getDouble("relayMaxDeliveredPerSecond"),
            r.getDouble("ratioToRelay")));
          chart(r, out.resolve("direct-latency.png"));
        }
        pgSteps(md, r);
        closedLoop(md, r.getJsonObject("closedLoop"));
      }
      case "storm" -> {
        JsonObject st = r.getJsonObject("storm");
        md.append(String.format("%,d users, each a chat and a presence socket and %d contacts (%s).%n%n"
            + "| pass | sockets | all authenticated s | connect+AUTH/s | every contact online s |%n| --- | ---: | ---: | ---: | ---: |%n",
          st.getInteger("users"), r.getInteger("contactsPerUser"), r.getString("processes", "one server process")));
        for (String[] pass : new String[][] {{"firstConnect", "first connect, 500 at a time"},
          {"warmupStorm", "warm-up storm: all reconnect at once"}, {"storm", "storm: all reconnect at once (measured)"}}) {
          JsonObject p = r.getJsonObject(pass[0]);
          if (p != null) {
            md.append(String.format("| %s | %,d | %.2f | %,.0f | %.2f |%n", pass[1], p.getInteger("sockets"),
              p.getDouble("authenticatedSeconds"), p.getDouble("connectAuthPerSecond"), p.getDouble("presenceSettledSeconds")));
          }
        }
        JsonObject cpu = st.getJsonObject("cpuSeconds");
        if (cpu != null) {
          md.append(String.format("%nCPU seconds during the measured storm: chat %.1f (JIT %.1f, GC %.1f), presence %.1f "
              + "(JIT %.1f, GC %.1f), generator workers %.1f, PostgreSQL %.1f; the machine busy %.1f of %.1f.%n",
            cpu.getDouble("chat"), cpu.getDouble("chatJit", Double.NaN), cpu.getDouble("chatGc", Double.NaN),
            cpu.getDouble("presence"), cpu.getDouble("presenceJit", Double.NaN), cpu.getDouble("presenceGc", Double.NaN),
            cpu.getDouble("workers"), cpu.getDouble("postgres"), cpu.getDouble("machineBusy"),
            cpu.getDouble("machineBusy") + cpu.getDouble("machineIdle")));
        }
      }
      case "read" -> {
        md.append("| recipients | offered msg/s | delivered msg/s | p50 ms | p99 ms | p99.9 ms | max ms | all arrived "
            + "| PostgreSQL CPU ms/msg |\n")
          .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |\n");
        for (String[] leg : new String[][]{{"plain", "no marking"}, {"marking", "mark each as it arrives"}}) {
          JsonArray steps = r.getJsonArray(leg[0]);
          for (int i = 0; i < steps.size(); i++) {
            JsonObject st = steps.getJsonObject(i);
            md.append(String.format("| %s | %,.0f | %,.0f | %.2f | %.2f | %.2f | %.2f | %s | %.3f |%n", leg[1],
              st.getDouble("offeredPerSecond"), st.getDouble("deliveredPerSecond"), st.getDouble("p50Ms"),
              st.getDouble("p99Ms"), st.getDouble("p999Ms"), st.getDouble("maxMs"), st.getBoolean("allArrived"),
              st.getDouble("pgCpuMsPerMessage", Double.NaN)));
          }
        }
        md.append(String.format("%nBest delivered: marking / no marking = %.2f.%n", r.getDouble("ratioMarkingToPlain")));
      }
      case "edits" -> {
        md.append("| pairs | offered msg/s | delivered msg/s | p50 ms | p99 ms | p99.9 ms | max ms | all arrived "
            + "| changes sent/s | changes told/s |\n")
          .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |\n");
        for (String[] leg : new String[][]{{"plain", "no edits"}, {"editing", "10 % edited or deleted"}}) {
          JsonArray steps = r.getJsonArray(leg[0]);
          for (int i = 0; i < steps.size(); i++) {
            JsonObject st = steps.getJsonObject(i);
            md.append(String.format("| %s | %,.0f | %,.0f | %.2f | %.2f | %.2f | %.2f | %s | %,.0f | %,.0f |%n", leg[1],
              st.getDouble("offeredPerSecond"), st.getDouble("deliveredPerSecond"), st.getDouble("p50Ms"),
              st.getDouble("p99Ms"), st.getDouble("p999Ms"), st.getDouble("maxMs"), st.getBoolean("allArrived"),
              st.getDouble("changesSentPerSecond", 0.0), st.getDouble("changesToldPerSecond", 0.0)));
          }
        }
        md.append(String.format("%nBest delivered: with edits / without = %.2f.%n", r.getDouble("ratioEditingToPlain")));
      }
      case "typing" -> {
        md.append(String.format("%,d typists in %,d chats, typing:true every second each.%n%n", r.getInteger("typists"),
          r.getInteger("chats")))
          .append("| offered msg/s | without typing: delivered | p99 ms | with typing: delivered | p99 ms | drop | TYPING frames/s |\n")
          .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        JsonArray steps = r.getJsonArray("steps");
        for (int i = 0; i < steps.size(); i++) {
          JsonObject st = steps.getJsonObject(i);
          JsonObject a = st.getJsonObject("withoutTyping");
          JsonObject b = st.getJsonObject("withTyping");
          md.append(String.format("| %,d | %,.0f | %.2f | %,.0f | %.2f | %.1f %% | %,.0f |%n", st.getInteger("rate"),
            a.getDouble("deliveredPerSecond"), a.getDouble("p99Ms"), b.getDouble("deliveredPerSecond"), b.getDouble("p99Ms"),
            st.getDouble("throughputDrop") * 100, st.getDouble("typingFramesReceivedPerSecond")));
        }
        md.append(String.format("%nTyping and receipt state while all type (class histogram: %s): %,d bytes per online "
            + "user. Heap after GC of the whole bench JVM (generator included): %,d bytes with the typists quiet, %,d "
            + "while they type.%n", r.getJsonObject("typingState").encode(), r.getLong("typingStateBytesPerOnlineUser"),
          r.getLong("heapQuiet"), r.getLong("heapTyping")));
      }
      case "fanout" -> {
        md.append("| group | online recipients | msg/s | offered deliveries/s | delivered/s | delivery p50 ms | delivery p99 ms "
            + "| last member p50 ms | last member p99 ms | messages reaching all | cut sockets "
            + "| cores: server / generator / rest / idle | µs per delivery: server / generator |\n")
          .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n");
        JsonArray groups = r.getJsonArray("groups");
        for (int i = 0; i < groups.size(); i++) {
          JsonObject g = groups.getJsonObject(i);
          JsonObject c = g.getJsonObject("cpu", new JsonObject());
          md.append(String.format("| %,d | %,d | %.0f | %,.0f | %,.0f | %.1f | %.1f | %.1f | %.1f | %d / %d | %d "
              + "| %.2f / %.2f / %.2f / %.2f | %.1f / %.1f |%n",
            g.getInteger("groupSize"), g.getLong("onlineRecipients"), g.getDouble("messagesPerSecond"), g.getDouble("offeredDeliveriesPerSecond"),
            g.getDouble("deliveredPerSecond"), g.getDouble("p50Ms"), g.getDouble("p99Ms"),
            g.getDouble("lastMemberP50Ms"), g.getDouble("lastMemberP99Ms"), g.getLong("messagesReachingAll"),
            g.getLong("messagesInWindow"), g.getLong("socketsCut"),
            c.getDouble("serverCores", Double.NaN), c.getDouble("generatorCores", Double.NaN),
            c.getDouble("otherCores", Double.NaN), c.getDouble("idleCores", Double.NaN),
            c.getDouble("serverUsPerDelivery", Double.NaN), c.getDouble("generatorUsPerDelivery", Double.NaN)));
        }
      }
      default -> {
        md.append("| figure | value |\n| --- | ---: |\n");
        for (String k : r.fieldNames()) {
          Object v = r.getValue(k);
          if (v instanceof JsonArray) {
            continue;
          }
          md.append("| ").append(k).append(" | ")
            .append(v instanceof Double d ? String.format("%,.2f", d) : v instanceof Number n ? String.format("%,d", n.longValue()) : v)
            .append(" |\n");
        }
      }
    }
    if (r.getJsonArray("heapHistogramTopAfter") != null) {
      md.append("\nLargest classes on the server's heap with the sockets open (jcmd GC.class_histogram):\n\n```\n");
      r.getJsonArray("heapHistogramTopAfter").forEach(line -> md.append(line).append("\n"));
      md.append("```\n");
    }
    Files.writeString(out.resolve(scenario + ".md"), md.toString());
    System.out.println("  results: " + out.resolve(scenario + ".json") + ", " + out.resolve(scenario + ".md"));
  }

  private static void rows(StringBuilder md, String server, JsonArray steps) {
    for (int i = 0; i < steps.size(); i++) {
      JsonObject s = steps.getJsonObject(i);
      md.append(String.format("| %s | %,.0f | %,.0f | %.2f | %.2f | %.2f | %.2f | %s |%n", server,
        s.getDouble("offeredPerSecond"), s.getDouble("deliveredPerSecond"), s.getDouble("p50Ms"),
        s.getDouble("p99Ms"), s.getDouble("p999Ms"), s.getDouble("maxMs"), s.getBoolean("allArrived")));
    }
  }

  /** p50/p99/p99.9 (log scale, ms) against offered msg/s (log scale), product and relay. */
  static void chart(JsonObject r, Path file) throws IOException {
    int w = 900;
    int h = 560;
    int left = 80;
    int right = 200;
    int top = 50;
    int bottom = 70;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    JsonArray product = r.getJsonArray("product");
    JsonArray relay = r.getJsonArray("relay");
    double minX = Double.MAX_VALUE;
    double maxX = 0;
    double minY = 0.1;
    double maxY = 1;
    for (JsonArray steps : List.of(product, relay)) {
      for (int i = 0; i < steps.size(); i++) {
        JsonObject s = steps.getJsonObject(i);
        minX = Math.min(minX, s.getDouble("offeredPerSecond"));
        maxX = Math.max(maxX, s.getDouble("offeredPerSecond"));
        maxY = Math.max(maxY, s.getDouble("p999Ms"));
        minY = Math.min(minY, Math.max(0.01, s.getDouble("p50Ms")));
      }
    }
    if (minX >= maxX) {
      minX = minX / 2;
      maxX = maxX * 2 + 1;
    }
    double lx0 = Math.log10(minX);
    double lx1 = Math.log10(maxX);
    double ly0 = Math.floor(Math.log10(minY));
    double ly1 = Math.ceil(Math.log10(maxY));
    int pw = w - left - right;
    int ph = h - top - bottom;
    java.util.function.DoubleUnaryOperator px = x -> left + (Math.log10(x) - lx0) / (lx1 - lx0) * pw;
    java.util.function.DoubleUnaryOperator py = y -> top + ph - (Math.log10(Math.max(y, Math.pow(10, ly0))) - ly0) / (ly1 - ly0) * ph;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(new Color(225, 225, 225));
    for (double d = ly0; d <= ly1; d++) {
      int y = (int) py.applyAsDouble(Math.pow(10, d));
      g.drawLine(left, y, left + pw, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format(d < 0 ? "%.2f" : "%.0f", Math.pow(10, d)), 20, y + 4);
      g.setColor(new Color(225, 225, 225));
    }
    for (JsonObject s : List.of(product, relay).stream().flatMap(a -> a.stream().map(o -> (JsonObject) o)).toList()) {
      int x = (int) px.applyAsDouble(s.getDouble("offeredPerSecond"));
      g.setColor(new Color(225, 225, 225));
      g.drawLine(x, top, x, top + ph);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%,.0f", s.getDouble("offeredPerSecond")), x - 18, top + ph + 18);
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString("1:1 latency (send to recipient's receipt) against offered rate", left, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawString("offered msg/s (log)", left + pw / 2 - 50, h - 25);
    g.drawString("ms (log)", 10, top - 10);
    String[] keys = {"p50Ms", "p99Ms", "p999Ms"};
    String[] labels = {"p50", "p99", "p99.9"};
    Color[] productColors = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x9467bd)};
    Color[] relayColors = {new Color(0x7fb7de), new Color(0xf09090), new Color(0xc9b3de)};
    int legend = top + 10;
    for (int series = 0; series < 2; series++) {
      JsonArray steps = series == 0 ? product : relay;
      for (int k = 0; k < keys.length; k++) {
        Color c = series == 0 ? productColors[k] : relayColors[k];
        g.setColor(c);
        g.setStroke(series == 0 ? new BasicStroke(2.5f)
          : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{6, 4}, 0));
        int prevX = -1;
        int prevY = -1;
        for (int i = 0; i < steps.size(); i++) {
          JsonObject s = steps.getJsonObject(i);
          int x = (int) px.applyAsDouble(s.getDouble("offeredPerSecond"));
          int y = (int) py.applyAsDouble(s.getDouble(keys[k]));
          g.fillOval(x - 3, y - 3, 7, 7);
          if (prevX >= 0) {
            g.drawLine(prevX, prevY, x, y);
          }
          prevX = x;
          prevY = y;
        }
        g.drawLine(left + pw + 15, legend, left + pw + 45, legend);
        g.setColor(Color.BLACK);
        g.drawString((series == 0 ? "product " : "bare relay ") + labels[k], left + pw + 52, legend + 5);
        legend += 22;
      }
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }
}
