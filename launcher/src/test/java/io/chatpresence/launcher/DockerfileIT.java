package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.JwtForge;
import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Dockerfile without a Docker engine: its build stage is replayed (the context it copies, minus
 * .dockerignore, built with its own Maven command in a folder of its own), its runtime stage is laid out from
 * what that build produced, and its entrypoint is run: the default command (chat and presence in one JVM, as
 * {@code bin/vertx run all}), and the command lines of the Kubernetes Deployments (a loopback cluster here).
 */
class DockerfileIT {
  private static final Path ROOT = Launched.ROOT;
  private static final String APP = "/app/";
  private static Dockerfile dockerfile;
  private static Path buildDir;
  private static Path appDir;
  private static Vertx vertx;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void replayTheBuild() throws Exception {
    dockerfile = new Dockerfile(ROOT);
    vertx = Vertx.vertx();
    Dockerfile.Stage build = dockerfile.stage("build");
    assertTrue(build.from().startsWith("maven:") && build.from().contains("temurin-17"), build.from());
    assertEquals("/src", build.last("WORKDIR").args());
    buildDir = Files.createTempDirectory("docker-build");
    for (Dockerfile.Instruction copy : build.all("COPY")) {
      List<String> words = copy.words();
      assertFalse(words.get(0).startsWith("--from"), "the build stage copies from the context only");
      Path dest = buildDir.resolve(words.get(words.size() - 1));
      for (String src : words.subList(0, words.size() - 1)) {
        Path source = ROOT.resolve(src);
        assertTrue(Files.exists(source), () -> "COPY " + src + ": not in the repository");
        assertFalse(dockerfile.ignored(ROOT.relativize(source)), () -> "COPY " + src + ": left out by .dockerignore");
        copyContext(source, Files.isDirectory(source) ? dest : dest.resolve(source.getFileName()));
      }
    }
    assertFalse(Files.exists(buildDir.resolve("launcher/target")), ".dockerignore keeps build output out");
    assertFalse(Files.exists(buildDir.resolve("data")), ".dockerignore keeps local data out");

    Dockerfile.Instruction run = build.last("RUN");
    List<String> mvn = new ArrayList<>(List.of(run.args().substring(run.args().indexOf("mvn ")).split("\\s+")));
    mvn.add(1, "-o"); // this build has just fetched every dependency
    Path log = Files.createTempFile("docker-build", ".log");
    Process maven = new ProcessBuilder(mvn).directory(buildDir.toFile()).redirectErrorStream(true)
      .redirectOutput(log.toFile()).start();
    assertTrue(maven.waitFor(15, TimeUnit.MINUTES), "the build stage's Maven run did not finish");
    assertEquals(0, maven.exitValue(), () -> "the build stage failed: " + read(log));

    Dockerfile.Stage runtime = dockerfile.runtime();
    assertEquals("/app", runtime.last("WORKDIR").args());
    appDir = Files.createTempDirectory("docker-app");
    for (Dockerfile.Instruction copy : runtime.all("COPY")) {
      List<String> words = copy.words();
      assertEquals("--from=build", words.get(0), "the runtime stage takes only what the build produced");
      String src = words.get(1);
      String dest = words.get(2);
      assertTrue(src.startsWith("/src/") && dest.startsWith(APP), copy.args());
      Path produced = buildDir.resolve(src.substring("/src/".length()));
      assertTrue(Files.exists(produced), () -> "COPY --from=build " + src + ": the build does not produce it");
      copyContext(produced, appDir.resolve(dest.substring(APP.length())));
    }
  }

  @AfterAll
  static void tearDown() throws IOException {
    vertx.close();
    // the replayed build holds a copy of the sources and the fat jar: do not leave them in /tmp
    for (Path dir : new Path[] {buildDir, appDir}) {
      if (dir != null) {
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  @AfterEach
  void stopWhatWeStarted() throws Exception {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  @Test
  void theRuntimeImageIsSlimNonRootAndHoldsNoSecret() throws Exception {
    Dockerfile.Stage runtime = dockerfile.runtime();
    assertTrue(runtime.from().startsWith("eclipse-temurin:17-jre"), runtime.from());
    String user = runtime.last("USER").args();
    int uid = Integer.parseInt(user.split(":")[0]);
    assertTrue(uid > 0, "non-root user: " + user);

    Path jar = appDir.resolve("chat-presence.jar");
    try (JarFile j = new JarFile(jar.toFile())) {
      assertEquals(Launcher.class.getName(), j.getManifest().getMainAttributes().getValue("Main-Class"));
    }
    for (String conf : List.of("all.json", "chat.json", "presence.json", "cluster.xml", "cluster-kubernetes.xml")) {
      assertTrue(Files.isRegularFile(appDir.resolve("conf").resolve(conf)), conf);
    }

    Set<String> exposed = new HashSet<>();
    runtime.all("EXPOSE").forEach(e -> exposed.addAll(e.words()));
    String eventBusPort = clusterPortOfTheManifests();
    assertTrue(exposed.containsAll(Set.of("4000", "5000", "5701", eventBusPort)), exposed.toString());

    Map<String, String> env = runtime.env();
    assertEquals("0.0.0.0", env.get(ConfigKeys.HTTP_HOST));
    Set<String> known = new HashSet<>(ConfigKeys.all());
    known.addAll(ConfigKeys.PROCESS_ENV);
    for (String name : env.keySet()) {
      assertTrue(known.contains(name), () -> "ENV " + name + " is no setting");
      assertFalse(ConfigKeys.SECRETS.contains(name), () -> "ENV " + name + ": a secret in the image");
    }
    for (Dockerfile.Stage stage : dockerfile.stages) {
      assertTrue(stage.all("ARG").stream().noneMatch(a -> a.args().toUpperCase().matches(".*(SECRET|PASSWORD|TOKEN).*")));
    }
    try (Stream<Path> files = Files.walk(appDir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().equals("jwt-secret")), "no generated secret in /app");
    }
  }

  @Test
  void theEntrypointIsTheLauncherOfBinVertxAndServesBothPorts() throws Exception {
    List<String> entrypoint = dockerfile.runtime().last("ENTRYPOINT").execForm();
    List<String> cmd = dockerfile.runtime().last("CMD").execForm();
    String binVertx = Files.readString(ROOT.resolve("bin/vertx"));
    assertEquals("java", entrypoint.get(0));
    assertTrue(containsInOrder(entrypoint, words(binVertx, "opens=\\(([^)]*)\\)")),
      "the --add-opens of bin/vertx, in order: " + entrypoint);
    for (String flag : words(binVertx, "jvm=\\(([^)]*)\\)")) {
      if (flag.startsWith("-D")) {
        assertTrue(entrypoint.contains(flag), flag);
      }
    }
    assertTrue(entrypoint.stream().anyMatch(f -> f.startsWith("-XX:MaxRAMPercentage=")), "heap from the container's limit");
    assertEquals(List.of("-jar", APP + "chat-presence.jar"), entrypoint.subList(entrypoint.size() - 2, entrypoint.size()));
    Matcher all = Pattern.compile("all\\)\\s+verticle=(\\S+); conf=\"\\$root/(\\S+)\"").matcher(binVertx);
    assertTrue(all.find());
    assertEquals(List.of(all.group(1), "-conf", APP + all.group(2)), cmd, "CMD is `bin/vertx run all`");

    int chat = Ports.free();
    int presence = Ports.free();
    Path secret = Files.createTempFile("jwt-secret", "");
    String jwtSecret = "docker-it-secret-from-a-mounted-file-0123456789";
    Files.writeString(secret, jwtSecret + "\n");
    Path password = Files.createTempFile("pg-password", "");
    Files.writeString(password, "ignored-by-trust-auth");
    Map<String, String> env = new HashMap<>(dockerfile.runtime().env());
    env.putAll(Map.of(ConfigKeys.HTTP_HOST, "127.0.0.1", ConfigKeys.DATA_DIR, Files.createTempDirectory("docker-data").toString(),
      ConfigKeys.CHAT_PORT, "" + chat, ConfigKeys.PRESENCE_PORT, "" + presence, ConfigKeys.PG_URL, TestDatabase.url(),
      ConfigKeys.JWT_SECRET_FILE, secret.toString(), ConfigKeys.PG_PASSWORD_FILE, password.toString(),
      ConfigKeys.PASSWORD_ITERATIONS, "1000", ConfigKeys.LOG_FORMAT, "json"));
    Path log = Files.createTempFile("docker-run", ".log");
    List<String> command = new ArrayList<>(entrypoint);
    command.addAll(cmd);
    Process p = run(command, env, log);
    Launched.awaitReady(p, chat, log);
    Launched.awaitReady(p, presence, log);

    Rest rest = new Rest(chat);
    String name = "docker_" + System.nanoTime() % 100_000;
    rest.register(name, "password-" + name);
    // a token signed with the secret of the mounted file is good: the server uses JWT_SECRET_FILE
    String forged = JwtForge.hs256(JwtForge.claims(name, System.currentTimeMillis() / 1000 + 600), jwtSecret);
    try (WsClient ws = WsClient.authenticated(vertx, chat, forged)) {
      for (int port : List.of(chat, presence)) {
        Scrape metrics = Scrape.of(port);
        metrics.assertHas("jvm_memory_used_bytes");
        metrics.assertHas("vertx_http_server_active_connections");
        assertEquals(1, metrics.sum("chatpresence_sockets_authenticated", "server", "chat"));
      }
      assertEquals(200, rest.get("/api/openapi.json", null).status());
      p.destroy(); // SIGTERM, as Kubernetes sends after preStop
      assertEquals(1001, ws.closeCode());
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped on SIGTERM");
    List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
    assertTrue(lines.stream().anyMatch(l -> l.contains("Chat server listening")), read(log));
    for (String line : lines) {
      // LOG_FORMAT=json: every line a JSON object (log collectors parse them)
      assertTrue(line.startsWith("{"), () -> "not JSON: " + line);
      assertNotNull(new JsonObject(line).getString("level"), line);
    }
    assertTrue(lines.stream().anyMatch(l -> new JsonObject(l).getString("formattedMessage", "")
      .equals("Chat server listening on 127.0.0.1:" + chat)), () -> "the message with its arguments: " + lines);
  }

  @Test
  void theKubernetesCommandLinesFormAClusterThroughTheEntrypoint() throws Exception {
    List<String> entrypoint = dockerfile.runtime().last("ENTRYPOINT").execForm();
    String cluster = "docker-it-" + System.nanoTime();
    Map<String, Integer> ports = new HashMap<>();
    Map<String, Process> nodes = new HashMap<>();
    Path log = Files.createTempFile("docker-k8s", ".log");
    for (String name : List.of("chat", "presence")) {
      List<String> args = new ArrayList<>(deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
      args.set(args.indexOf("-cluster-port") + 1, "" + Ports.free());
      int port = Ports.free();
      ports.put(name, port);
      Map<String, String> env = new HashMap<>(dockerfile.runtime().env());
      env.putAll(Map.of(ConfigKeys.HTTP_HOST, "127.0.0.1", ConfigKeys.DATA_DIR, Files.createTempDirectory("docker-data").toString(),
        name.equals("chat") ? ConfigKeys.CHAT_PORT : ConfigKeys.PRESENCE_PORT, "" + port, ConfigKeys.PG_URL, TestDatabase.url(),
        ConfigKeys.JWT_SECRET, TestServer.SECRET, ConfigKeys.PASSWORD_ITERATIONS, "1000",
        // the loopback cluster config: conf/cluster-kubernetes.xml (DNS discovery) is for Kubernetes only
        ConfigKeys.VERTX_HAZELCAST_CONFIG, appDir.resolve("conf/cluster.xml").toString(),
        ConfigKeys.CLUSTER_NAME, cluster, ConfigKeys.CLUSTER_HOST, "127.0.0.1"));
      List<String> command = new ArrayList<>(entrypoint);
      command.addAll(args);
      nodes.put(name, run(command, env, log));
    }
    for (String name : nodes.keySet()) {
      Launched.awaitReady(nodes.get(name), ports.get(name), log);
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Rest.Response ready = new Rest(ports.get("presence")).get("/ready", null);
      assertEquals(2, ReadinessTest.check(ready.json(), "cluster").getJsonObject("data").getInteger("members"), ready.body());
    });
    Rest rest = new Rest(ports.get("chat"));
    String alice = "k8s_a_" + System.nanoTime() % 100_000;
    String bob = "k8s_b_" + System.nanoTime() % 100_000;
    String aliceToken = rest.register(alice, "password-1");
    String bobToken = rest.register(bob, "password-2");
    rest.post("/api/chats", new JsonObject().put("with", bob), aliceToken);
    try (WsClient bobPresence = WsClient.authenticated(vertx, ports.get("presence"), bobToken);
         WsClient aliceChat = WsClient.authenticated(vertx, ports.get("chat"), aliceToken)) {
      JsonObject update = bobPresence.until(f -> "PRESENCE_UPDATE".equals(f.getString("type")));
      assertEquals(alice, update.getString("username"), "a chat socket on the chat node, seen by the presence node");
      assertEquals("online", update.getString("status"));
    }
  }

  private Process run(List<String> command, Map<String, String> env, Path log) throws IOException {
    List<String> mapped = new ArrayList<>();
    for (String word : command) {
      mapped.add(word.equals("java") ? Path.of(System.getProperty("java.home"), "bin", "java").toString()
        : word.startsWith(APP) ? appDir.resolve(word.substring(APP.length())).toString() : word);
    }
    ProcessBuilder pb = new ProcessBuilder(mapped).directory(appDir.toFile()).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> ConfigKeys.all().contains(k) || ConfigKeys.PROCESS_ENV.contains(k));
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private static Deployment deployment(String name) throws IOException {
    return new KubernetesSerialization().unmarshal(Files.readString(ROOT.resolve("k8s/base/" + name + "-deployment.yaml")
      .normalize()), Deployment.class);
  }

  private static String clusterPortOfTheManifests() throws IOException {
    List<String> args = deployment("chat").getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    return args.get(args.indexOf("-cluster-port") + 1);
  }

  private static List<String> words(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
    assertTrue(m.find(), regex);
    return List.of(m.group(1).trim().split("\\s+"));
  }

  private static boolean containsInOrder(List<String> list, List<String> sub) {
    for (int i = 0; i + sub.size() <= list.size(); i++) {
      if (list.subList(i, i + sub.size()).equals(sub)) {
        return true;
      }
    }
    return false;
  }

  /** Copies a file or a folder, leaving out what .dockerignore leaves out of the context. */
  private static void copyContext(Path source, Path dest) throws IOException {
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : files.toList()) {
        if (p.startsWith(ROOT) && dockerfile.ignored(ROOT.relativize(p))) {
          continue;
        }
        Path target = dest.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
