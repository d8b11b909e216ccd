package io.chatpresence.launcher.reliability.netns;

import io.chatpresence.launcher.Launched;
import io.chatpresence.server.testing.Rest;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * A small network of Linux network namespaces for one scenario (issue 17), made with {@code ip} as root: a hub
 * namespace holding a bridge, and per node a namespace joined to the bridge by a veth pair, with the address
 * {@code 10.117.0.K/24} inside it. {@link #cut} sets the hub's end of a node's link down (no packet passes
 * either way, no FIN, no reset) and {@link #heal} sets it up again. Nothing is added to the host's own namespace:
 * the test JVM reaches the namespaces only through Unix sockets ({@link NsForwarder}), so its traffic stays on
 * loopback, and every address used is inside namespaces this run made.
 *
 * <p>Everything is deleted in {@link #close} (processes inside killed first), also from a JVM shutdown hook, and
 * namespaces left by an earlier run that died (named after the PID of a JVM that is gone) at the next start.
 * Where namespaces cannot be made (not root, no {@code ip}, no CAP_SYS_ADMIN) the scenario is skipped.
 */
public final class Netns implements AutoCloseable {
  private static final String PREFIX = "cpr17-";
  private static final Pattern OURS = Pattern.compile(PREFIX + "(\\d+)-\\d+-.*");
  private static final AtomicInteger RUNS = new AtomicInteger();
  public static final String SUBNET = "10.117.0.";

  private final String prefix;
  private final Path dir;
  private final String hub;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final List<AutoCloseable> listeners = new ArrayList<>();
  private final Thread hook = new Thread(this::deleteAll, "netns-cleanup");
  private ServerSocketChannel pgListener;
  private int pgPort;
  private boolean closed;

  /** One namespace on the bridge. */
  public final class Node {
    public final String name;
    public final String ns;
    public final int index;
    public final String address;
    private Process forwarder;

    private Node(String name, String ns, int index) {
      this.name = name;
      this.ns = ns;
      this.index = index;
      this.address = SUBNET + index;
    }

    /**
     * A loopback port of the test JVM whose connections come out inside this namespace towards
     * {@code host:port} (an address of one of the namespaces).
     */
    public int gateway(String host, int port) throws IOException {
      ServerSocket server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
      listeners.add(server);
      Path socket = dir.resolve(name + ".in");
      Pipes.daemon("gateway-" + name, () -> {
        while (!server.isClosed()) {
          try {
            Socket tcp = server.accept();
            tcp.setTcpNoDelay(true);
            try {
              SocketChannel unix = Pipes.connectUnix(socket);
              Pipes.writeLine(Pipes.out(unix), host + ":" + port);
              Pipes.splice("gw-" + name, unix, tcp);
            } catch (IOException e) {
              Pipes.closeQuietly(tcp);
            }
          } catch (IOException e) {
            return;
          }
        }
      });
      return server.getLocalPort();
    }

    /** A gateway to {@code port} on this node's own address (from inside its namespace: never cut). */
    public int local(int port) throws IOException {
      return gateway(address, port);
    }

    /** (Re)starts this namespace's forwarder; with PostgreSQL on {@code 127.0.0.1:}{@link #PG_PORT} inside it. */
    public void startForwarder() throws Exception {
      forwarder = Netns.this.launchForwarder(this);
    }

    /** Kills the forwarder with SIGKILL: every connection through it dies inside the namespace at once. */
    public void killForwarder() throws InterruptedException {
      if (forwarder != null) {
        forwarder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }

    /**
     * Starts {@code bin/vertx run ARGS} inside this namespace, in its own process group, with HTTP_HOST and
     * CLUSTER_HOST at this node's address, PostgreSQL through the forwarder, and {@code env}.
     */
    public Process startProduct(Path log, Map<String, String> env, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "setsid",
        Launched.ROOT.resolve("bin/vertx").toString(), "run"));
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command).directory(Launched.ROOT.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().keySet().removeIf(k -> k.equals("PG_URL") || k.equals("JWT_SECRET"));
      pb.environment().put("HTTP_HOST", address);
      pb.environment().put("CLUSTER_HOST", address);
      pb.environment().put("PG_URL", "postgresql://postgres@127.0.0.1:" + PG_PORT + "/postgres");
      pb.environment().putAll(env);
      Process p = pb.start();
      processes.add(p);
      return p;
    }
  }

  /** Where the product finds PostgreSQL inside every namespace (the forwarder's port there). */
  public static final int PG_PORT = 55432;

  private Netns(String scenario) throws IOException {
    long pid = ProcessHandle.current().pid();
    this.prefix = PREFIX + pid + "-" + RUNS.incrementAndGet() + "-";
    this.dir = Files.createTempDirectory("netns-" + scenario);
    this.hub = prefix + "hub";
  }

  /**
   * A hub and its bridge, or a skipped test (JUnit assumption) where namespaces cannot be made here.
   * {@code pgPort}: the loopback port of the PostgreSQL to offer inside the namespaces, or 0 for none.
   */
  public static Netns create(String scenario, int pgPort) throws Exception {
    Assumptions.assumeTrue(canCreateNamespaces(), "skipped: this machine cannot create network namespaces "
      + "(needs root and iproute2: `ip netns add` failed), so the namespace scenarios do not run here");
    deleteStale();
    Netns net = new Netns(scenario);
    Runtime.getRuntime().addShutdownHook(net.hook);
    try {
      net.ip("netns", "add", net.hub);
      net.namespaces.add(net.hub);
      net.ip("-n", net.hub, "link", "set", "lo", "up");
      net.ip("-n", net.hub, "link", "add", "br0", "type", "bridge");
      net.ip("-n", net.hub, "link", "set", "br0", "up");
      if (pgPort > 0) {
        net.servePg(pgPort);
      }
      return net;
    } catch (Exception | AssertionError e) {
      net.close();
      throw e;
    }
  }

  /** A namespace on the bridge with address 10.117.0.{@code index}, and its forwarder started. */
  public Node node(String name, int index) throws Exception {
    String ns = prefix + name;
    ip("netns", "add", ns);
    namespaces.add(ns);
    String hubEnd = "v" + index;
    ip("-n", hub, "link", "add", hubEnd, "type", "veth", "peer", "name", "eth0", "netns", ns);
    ip("-n", hub, "link", "set", hubEnd, "master", "br0", "up");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "addr", "add", SUBNET + index + "/24", "dev", "eth0");
    ip("-n", ns, "link", "set", "eth0", "up");
    Node node = new Node(name, ns, index);
    nodes.add(node);
    node.startForwarder();
    return node;
  }

  /** Cuts the node off: its link on the bridge goes down, nothing passes either way. */
  public void cut(Node node) throws Exception {
    ip("-n", hub, "link", "set", "v" + node.index, "down");
  }

  public void heal(Node node) throws Exception {
    ip("-n", hub, "link", "set", "v" + node.index, "up");
  }

  /**
   * A Hazelcast config for these members: conf/cluster.xml with this node's address as the only interface and
   * the members' addresses as the TCP-IP member list (multicast and auto-detection stay off).
   */
  public Path hazelcastConfig(Node node, List<Node> members) throws IOException {
    String xml = Files.readString(Launched.ROOT.resolve("conf/cluster.xml"));
    String list = members.stream().map(m -> "<member>" + m.address + "</member>")
      .collect(Collectors.joining("\n          "));
    // each member has an address of its own here, so port 5701 only: the loopback config's 20 ports (all nodes
    // share 127.0.0.1 there) would make each split-brain search try 60 addresses, one after another
    xml = xml.replace("<interface>127.0.0.1</interface>", "<interface>" + node.address + "</interface>")
      .replace("<member>127.0.0.1</member>", list)
      .replace("<port auto-increment=\"true\" port-count=\"20\">5701</port>", "<port auto-increment=\"false\">5701</port>")
      .replace("<property name=\"hazelcast.tcp.join.port.try.count\">20</property>",
        "<property name=\"hazelcast.tcp.join.port.try.count\">1</property>");
    if (!xml.contains(node.address) || !xml.contains("<multicast enabled=\"false\"/>")
      || !xml.contains("auto-increment=\"false\"") || !xml.contains("port.try.count\">1<")) {
      throw new IllegalStateException("conf/cluster.xml changed: the namespace config could not be derived");
    }
    Path file = dir.resolve("hazelcast-" + node.name + ".xml");
    Files.writeString(file, xml);
    return file;
  }

  /** Waits for {@code GET /ready} 200 from a gateway port, failing early if the process ended. */
  public static void awaitReady(Process p, int gatewayPort, Path log, Duration atMost) {
    Rest rest = new Rest(gatewayPort);
    await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!p.isAlive()) {
        throw new AssertionError("process exited: " + Files.readString(log));
      }
      try {
        return rest.get("/ready", null).status() == 200;
      } catch (RuntimeException notYet) {
        return false;
      }
    });
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      deleteAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run
      }
    }
  }

  // ---- internals ------------------------------------------------------------------------------------

  private Process launchForwarder(Node node) throws Exception {
    String classes = Path.of(NsForwarder.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", node.ns,
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m", "-Xss256k",
      "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classes, NsForwarder.class.getName(),
      dir.toString(), node.name));
    if (pgListener != null) {
      command.add(Integer.toString(PG_PORT));
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(p);
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    Pipes.daemon("forwarder-out-" + node.name, () -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.equals("READY")) {
            ready.complete(true);
          } else {
            System.out.println("  [forwarder " + node.name + "] " + line);
          }
        }
      } catch (IOException ignored) {
        // ended
      }
      ready.complete(false);
    });
    if (!ready.get(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the forwarder in " + node.ns + " did not start");
    }
    return p;
  }

  private void servePg(int pgPort) throws IOException {
    this.pgPort = pgPort;
    pgListener = Pipes.listenUnix(dir.resolve("pg"));
    listeners.add(pgListener);
    Pipes.daemon("pg-gateway", () -> {
      while (pgListener.isOpen()) {
        try {
          SocketChannel unix = pgListener.accept();
          try {
            Socket tcp = new Socket(InetAddress.getLoopbackAddress(), this.pgPort);
            tcp.setTcpNoDelay(true);
            Pipes.splice("pg", unix, tcp);
          } catch (IOException e) {
            Pipes.closeQuietly(unix);
          }
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  /** Kills what runs inside our namespaces, deletes them (the hub last: its veth ends take their peers along). */
  private synchronized void deleteAll() {
    for (Process p : processes) {
      if (p.isAlive()) {
        try {
          new ProcessBuilder("kill", "-9", "--", "-" + p.pid()).start().waitFor(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // try the process alone below
        }
        p.destroyForcibly();
      }
    }
    List<String> reversed = new ArrayList<>(namespaces);
    java.util.Collections.reverse(reversed);
    reversed.remove(hub);
    reversed.add(hub);
    for (String ns : reversed) {
      deleteNamespace(ns);
    }
    namespaces.clear();
    for (AutoCloseable l : listeners) {
      Pipes.closeQuietly(l);
    }
  }

  private static void deleteNamespace(String ns) {
    try {
      String pids = run("ip", "netns", "pids", ns).trim();
      for (String pid : pids.split("\\s+")) {
        if (!pid.isEmpty()) {
          run("kill", "-9", pid);
        }
      }
      run("ip", "netns", "del", ns);
    } catch (Exception e) {
      System.err.println("could not delete namespace " + ns + ": " + e);
    }
  }

  /** Namespaces of an earlier run whose JVM is gone (killed before its hook could run). */
  private static void deleteStale() throws Exception {
    for (String line : run("ip", "netns", "list").split("\n")) {
      String ns = line.split("\\s+")[0];
      Matcher m = OURS.matcher(ns);
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false) == false) {
        deleteNamespace(ns);
      }
    }
  }

  private static boolean canCreateNamespaces() {
    String probe = PREFIX + ProcessHandle.current().pid() + "-0-probe";
    try {
      run("ip", "netns", "add", probe);
      run("ip", "netns", "del", probe);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private void ip(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    run(command.toArray(String[]::new));
  }

  /** Runs a command, returns its output; fails on a non-zero exit. */
  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + ": timed out");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + out.trim());
    }
    return out;
  }
}
