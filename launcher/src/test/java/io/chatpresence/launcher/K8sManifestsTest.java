package io.chatpresence.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.chatpresence.chat.ChatVerticle;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.presence.PresenceVerticle;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What can be checked of {@code k8s/} without a cluster: every manifest parses as typed Kubernetes objects
 * (fabric8's model, no unknown field), kustomizations list only files that exist, and the manifests agree with
 * the application: probe paths answer on the verticle's port, ports, arguments and environment names are the
 * real ones, the Services select the pods they mean to.
 */
class K8sManifestsTest {
  static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  static final Path K8S = ROOT.resolve("k8s");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** Names the manifests may set besides our settings: Hazelcast's override, and one only used in $(...). */
  private static final Set<String> KUBERNETES_ONLY_ENV = Set.of("HZ_NETWORK_JOIN_KUBERNETES_SERVICEDNS", "POD_NAMESPACE");
  private static final Map<String, Class<?>> VERTICLES = Map.of("chat", ChatVerticle.class, "presence", PresenceVerticle.class);
  private static final Map<String, String> PORT_KEYS = Map.of("chat", ConfigKeys.CHAT_PORT, "presence", ConfigKeys.PRESENCE_PORT);

  private static Map<Path, List<HasMetadata>> manifests;
  private static Vertx vertx;
  private static TestServer server;

  @BeforeAll
  static void setUp() throws Exception {
    manifests = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(K8S)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        if (!file.getFileName().toString().equals("kustomization.yaml")) {
          manifests.put(file, parse(file));
        }
      }
    }
    vertx = Vertx.vertx();
    server = new TestServer(vertx, new JsonObject()).start();
  }

  @AfterAll
  static void tearDown() {
    server.stop();
    TestServer.await(vertx.close());
  }

  private static List<HasMetadata> parse(Path file) throws Exception {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
        continue;
      }
      KubernetesResource parsed = SERIALIZATION.unmarshal(doc, KubernetesResource.class);
      assertTrue(parsed instanceof HasMetadata && !(parsed instanceof GenericKubernetesResource),
        () -> file + ": not a known Kubernetes kind: " + parsed);
      HasMetadata object = (HasMetadata) parsed;
      assertNotNull(object.getMetadata().getName(), file + ": no name");
      assertNoUnknownFields(object, K8S.relativize(file) + " " + object.getKind());
      objects.add(object);
    }
    return objects;
  }

  /** A misspelt field lands in additionalProperties (and Kubernetes would ignore or refuse it). */
  private static void assertNoUnknownFields(Object o, String where) throws Exception {
    if (o == null || !o.getClass().getName().startsWith("io.fabric8")) {
      if (o instanceof Collection<?> c) {
        for (Object e : c) {
          assertNoUnknownFields(e, where);
        }
      } else if (o instanceof Map<?, ?> m) {
        for (Object e : m.values()) {
          assertNoUnknownFields(e, where);
        }
      }
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class
        || !(m.getName().startsWith("get") || m.getName().startsWith("is"))) {
        continue;
      }
      Object value = m.invoke(o);
      if (m.getName().equals("getAdditionalProperties")) {
        assertTrue(value == null || ((Map<?, ?>) value).isEmpty(), () -> where + ": unknown field(s) " + value
          + " in " + o.getClass().getSimpleName());
      } else if (value != o) {
        assertNoUnknownFields(value, where + "." + m.getName().replaceFirst("^(get|is)", ""));
      }
    }
  }

  /** The objects of every manifest but the overlays' patches (which repeat the names of what they patch). */
  private static <T extends HasMetadata> List<T> all(Class<T> type) {
    return manifests.entrySet().stream().filter(e -> !isPatch(e.getKey())).flatMap(e -> e.getValue().stream())
      .filter(type::isInstance).map(type::cast).toList();
  }

  private static boolean isPatch(Path file) {
    return file.getFileName().toString().endsWith("-patch.yaml");
  }

  private static <T extends HasMetadata> T one(Class<T> type, String name) {
    List<T> found = all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
    assertEquals(1, found.size(), () -> type.getSimpleName() + " " + name + ": " + found.size());
    return found.get(0);
  }

  private static Path base(String file) {
    return K8S.resolve("base").resolve(file);
  }

  @Test
  void everyManifestParsesAsTypedKubernetesObjects() {
    assertTrue(manifests.size() >= 10, manifests.keySet().toString());
    Set<String> kinds = manifests.values().stream().flatMap(List::stream).map(HasMetadata::getKind).collect(Collectors.toSet());
    assertTrue(kinds.containsAll(Set.of("Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget",
      "HorizontalPodAutoscaler", "Ingress", "StatefulSet", "ServiceAccount")), kinds.toString());
  }

  @SuppressWarnings("unchecked")
  @Test
  void kustomizationsListOnlyFilesThatExistAndUseEveryManifest() throws Exception {
    Set<Path> used = new HashSet<>();
    List<Path> kustomizations;
    try (Stream<Path> files = Files.walk(K8S)) {
      kustomizations = files.filter(p -> p.getFileName().toString().equals("kustomization.yaml")).toList();
    }
    assertEquals(Set.of(base("kustomization.yaml"), K8S.resolve("overlays/postgres-demo/kustomization.yaml"),
      K8S.resolve("overlays/external-db/kustomization.yaml")), Set.copyOf(kustomizations));
    for (Path k : kustomizations) {
      Map<String, Object> kustomization = YAML.readValue(k.toFile(), Map.class);
      assertEquals("Kustomization", kustomization.get("kind"), k.toString());
      Path dir = k.getParent();
      for (String resource : (List<String>) kustomization.getOrDefault("resources", List.of())) {
        Path p = dir.resolve(resource).normalize();
        assertTrue(Files.isRegularFile(p) || Files.isRegularFile(p.resolve("kustomization.yaml")),
          () -> k + " lists " + resource + ", which does not exist");
        used.add(p);
      }
      for (Map<String, Object> patch : (List<Map<String, Object>>) kustomization.getOrDefault("patches", List.of())) {
        Path p = dir.resolve((String) patch.get("path")).normalize();
        assertTrue(Files.isRegularFile(p), () -> k + " patches with " + p + ", which does not exist");
        used.add(p);
        for (HasMetadata target : manifests.get(p)) {
          assertTrue(manifests.entrySet().stream().filter(e -> e.getKey().startsWith(K8S.resolve("base")))
              .flatMap(e -> e.getValue().stream()).anyMatch(o -> o.getKind().equals(target.getKind())
                && o.getMetadata().getName().equals(target.getMetadata().getName())),
            () -> p + " patches " + target.getKind() + " " + target.getMetadata().getName() + ", which the base lacks");
        }
      }
      for (Map<String, Object> generator : (List<Map<String, Object>>) kustomization.getOrDefault("secretGenerator", List.of())) {
        assertEquals("chat-presence-secrets", generator.get("name"));
        Set<String> keys = ((List<String>) generator.get("literals")).stream().map(l -> l.substring(0, l.indexOf('=')))
          .collect(Collectors.toSet());
        assertEquals(secretKeys(), keys, "the generated Secret has the keys the pods mount");
      }
    }
    for (Path manifest : manifests.keySet()) {
      if (manifest.getFileName().toString().endsWith(".template.yaml")) {
        assertFalse(used.contains(manifest), manifest + " is a template, not applied");
      } else {
        assertTrue(used.contains(manifest), () -> manifest + " is in no kustomization");
      }
    }
    assertTrue(manifests.get(base("kustomization.yaml")) == null);
    for (Path p : used) {
      if (p.startsWith(K8S.resolve("base"))) {
        assertTrue(manifests.get(p) == null || manifests.get(p).stream().noneMatch(o -> o instanceof Secret),
          () -> p + ": no Secret in the base");
      }
    }
  }

  private static Set<String> secretKeys() {
    return ((Secret) manifests.get(base("secret.template.yaml")).get(0)).getStringData().keySet();
  }

  @Test
  void deploymentsRunTheRealVerticlesWithTheirPortsArgumentsAndSettings() throws Exception {
    ConfigMap config = one(ConfigMap.class, "chat-presence-config");
    Set<String> known = new HashSet<>(ConfigKeys.all());
    known.addAll(ConfigKeys.PROCESS_ENV);
    List<ConfigMap> patches = manifests.entrySet().stream().filter(e -> isPatch(e.getKey()))
      .flatMap(e -> e.getValue().stream()).map(ConfigMap.class::cast).toList();
    assertEquals(2, patches.size());
    for (ConfigMap map : Stream.concat(Stream.of(config), patches.stream()).toList()) {
      for (String key : map.getData().keySet()) {
        assertTrue(known.contains(key), () -> "ConfigMap key " + key + " is no setting of the application");
      }
    }
    for (ConfigMap patch : patches) {
      assertNotNull(patch.getData().get(ConfigKeys.PG_URL), "each overlay sets PG_URL");
    }
    Path hazelcastXml = ROOT.resolve(config.getData().get(ConfigKeys.VERTX_HAZELCAST_CONFIG).replaceFirst("^/app/", ""));
    assertTrue(Files.isRegularFile(hazelcastXml), hazelcastXml + " (the image copies conf/ to /app/conf)");
    int hazelcastPort = hazelcastPort(hazelcastXml);

    for (String name : VERTICLES.keySet()) {
      Deployment d = one(Deployment.class, name);
      assertEquals(2, d.getSpec().getReplicas());
      assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(), "one pod at a time");
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      assertEquals(1, pod.getContainers().size());
      Container c = pod.getContainers().get(0);
      List<String> args = c.getArgs();
      assertEquals(VERTICLES.get(name).getName(), args.get(0));
      Path conf = ROOT.resolve(args.get(args.indexOf("-conf") + 1).replaceFirst("^/app/", ""));
      assertTrue(Files.isRegularFile(conf), conf.toString());
      assertTrue(args.contains("-cluster"));
      int eventBusPort = Integer.parseInt(args.get(args.indexOf("-cluster-port") + 1));

      assertEquals(ConfigKeys.defaults().getInteger(PORT_KEYS.get(name)), port(c, "http"),
        "the container port is the verticle's port (not overridden in the ConfigMap: "
          + config.getData().get(PORT_KEYS.get(name)) + ")");
      assertNull(config.getData().get(PORT_KEYS.get(name)));
      assertEquals(hazelcastPort, port(c, "hazelcast"));
      assertEquals(eventBusPort, port(c, "eventbus"));

      // probes: the real routes, on the verticle's port, answering on a running server
      int realPort = name.equals("chat") ? server.chatPort : server.presencePort;
      assertProbe(c.getLivenessProbe(), "/health", realPort);
      assertProbe(c.getStartupProbe(), "/health", realPort);
      assertProbe(c.getReadinessProbe(), "/ready", realPort);
      Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
      assertEquals(String.valueOf(port(c, "http")), annotations.get("prometheus.io/port"));
      Rest.Response metrics = new Rest(realPort).get(annotations.get("prometheus.io/path"), null);
      assertEquals(200, metrics.status());
      assertTrue(metrics.body().contains("chatpresence_sockets_open"));

      // environment: our settings only (and Hazelcast's override, with the namespace from the downward API)
      for (EnvVar env : c.getEnv()) {
        assertTrue(known.contains(env.getName()) || KUBERNETES_ONLY_ENV.contains(env.getName()),
          () -> name + ": env " + env.getName() + " is no setting of the application");
      }
      assertEquals("status.podIP", env(c, ConfigKeys.CLUSTER_HOST).getValueFrom().getFieldRef().getFieldPath());
      assertEquals("chat-presence-config", env(c, ConfigKeys.PG_URL).getValueFrom().getConfigMapKeyRef().getName());
      assertTrue(env(c, ConfigKeys.PG_URL).getValueFrom().getConfigMapKeyRef().getOptional() == null,
        "PG_URL is required: no pod may start its own embedded database");
      assertEquals("chat-presence-hazelcast.$(POD_NAMESPACE).svc.cluster.local",
        env(c, "HZ_NETWORK_JOIN_KUBERNETES_SERVICEDNS").getValue());
      assertEquals("metadata.namespace", env(c, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath());
      assertEquals("chat-presence-config", c.getEnvFrom().get(0).getConfigMapRef().getName());

      // secrets: files of the mounted Secret, with the keys of the template
      Volume secrets = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
      assertEquals("chat-presence-secrets", secrets.getSecret().getSecretName());
      String secretDir = mount(c, secrets.getName()).getMountPath();
      Set<String> files = new HashSet<>();
      for (String key : ConfigKeys.SECRETS) {
        EnvVar file = c.getEnv().stream().filter(e -> e.getName().equals(key + ConfigKeys.FILE_SUFFIX)).findFirst().orElse(null);
        if (file != null) {
          assertTrue(file.getValue().startsWith(secretDir + "/"), file.getValue());
          files.add(file.getValue().substring(secretDir.length() + 1));
        }
        assertTrue(c.getEnv().stream().noneMatch(e -> e.getName().equals(key) && e.getValue() != null),
          () -> key + " in plain text");
      }
      assertEquals(secretKeys(), files);

      // non-root, read-only root filesystem with writable /tmp and DATA_DIR; graceful leave
      assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
      assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
      assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
      assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
      assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
      for (String path : List.of("/tmp", config.getData().get(ConfigKeys.DATA_DIR))) {
        VolumeMount m = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals(path)).findFirst()
          .orElseThrow(() -> new AssertionError(name + ": nothing writable at " + path));
        assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals(m.getName())).findFirst().orElseThrow().getEmptyDir());
      }
      List<String> preStop = c.getLifecycle().getPreStop().getExec().getCommand();
      assertEquals("sleep", preStop.get(0));
      assertTrue(pod.getTerminationGracePeriodSeconds() >= Long.parseLong(preStop.get(1)) + 20,
        "room for the graceful stop after preStop");
      assertNotNull(c.getResources().getRequests().get("cpu"));
      assertNotNull(c.getResources().getRequests().get("memory"));
      assertNotNull(c.getResources().getLimits().get("memory"));
      assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
    }
  }

  private static void assertProbe(Probe probe, String path, int realPort) {
    HTTPGetAction get = probe.getHttpGet();
    assertEquals(path, get.getPath());
    assertEquals("http", get.getPort().getStrVal());
    Rest.Response r = new Rest(realPort).get(path, null);
    assertEquals(200, r.status(), path + ": " + r.body());
    assertEquals("UP", r.json().getString("status"));
  }

  private static int port(Container c, String name) {
    return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
      .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no port " + name));
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
      .orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
  }

  private static VolumeMount mount(Container c, String volume) {
    return c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst().orElseThrow();
  }

  private static int hazelcastPort(Path xml) throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    Element port = (Element) doc.getElementsByTagName("port").item(0);
    return Integer.parseInt(port.getTextContent().trim());
  }

  @Test
  void servicesIngressBudgetsAndAutoscalersPointAtThePods() throws Exception {
    Map<String, Map<String, String>> podLabels = new LinkedHashMap<>();
    for (String name : VERTICLES.keySet()) {
      Deployment d = one(Deployment.class, name);
      podLabels.put(name, d.getSpec().getTemplate().getMetadata().getLabels());
      assertTrue(podLabels.get(name).entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()));
    }

    Service headless = one(Service.class, "chat-presence-hazelcast");
    assertEquals("None", headless.getSpec().getClusterIP());
    assertEquals(Boolean.TRUE, headless.getSpec().getPublishNotReadyAddresses());
    for (String name : VERTICLES.keySet()) {
      assertTrue(selects(headless.getSpec().getSelector(), podLabels.get(name)), "the headless Service selects " + name);
      assertPortsExist(headless, one(Deployment.class, name));
    }
    StatefulSet postgres = one(StatefulSet.class, "chat-presence-postgres");
    assertFalse(selects(headless.getSpec().getSelector(), postgres.getSpec().getTemplate().getMetadata().getLabels()));

    for (String name : VERTICLES.keySet()) {
      Service s = one(Service.class, name);
      for (String other : VERTICLES.keySet()) {
        assertEquals(name.equals(other), selects(s.getSpec().getSelector(), podLabels.get(other)), s + " / " + other);
      }
      assertPortsExist(s, one(Deployment.class, name));
      PodDisruptionBudget pdb = one(PodDisruptionBudget.class, name);
      assertTrue(selects(pdb.getSpec().getSelector().getMatchLabels(), podLabels.get(name)));
      assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());
      HorizontalPodAutoscaler hpa = one(HorizontalPodAutoscaler.class, name);
      assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
      assertEquals(name, hpa.getSpec().getScaleTargetRef().getName());
      assertTrue(hpa.getSpec().getMinReplicas() >= 2);
    }

    Ingress ingress = one(Ingress.class, "chat-presence");
    Set<String> backends = new HashSet<>();
    for (IngressRule rule : ingress.getSpec().getRules()) {
      rule.getHttp().getPaths().forEach(p -> {
        IngressBackend b = p.getBackend();
        Service s = one(Service.class, b.getService().getName());
        assertTrue(s.getSpec().getPorts().stream().anyMatch(sp -> sp.getName().equals(b.getService().getPort().getName())));
        assertEquals("/", p.getPath(), "WebSockets are accepted on / only");
        backends.add(s.getMetadata().getName());
      });
    }
    assertEquals(VERTICLES.keySet(), backends);
    assertTrue(Integer.parseInt(ingress.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/proxy-read-timeout")) >= 600,
      "idle WebSockets are not cut after a minute");

    // the demo's PG_URL names the demo's PostgreSQL Service and port
    ConfigMap demo = (ConfigMap) manifests.get(K8S.resolve("overlays/postgres-demo/config-patch.yaml")).get(0);
    URI url = URI.create(demo.getData().get(ConfigKeys.PG_URL));
    Service pgService = one(Service.class, url.getHost());
    assertTrue(selects(pgService.getSpec().getSelector(), postgres.getSpec().getTemplate().getMetadata().getLabels()));
    assertEquals(url.getPort(), pgService.getSpec().getPorts().get(0).getPort());
    assertFalse(demo.getData().get(ConfigKeys.PG_URL).contains(":" + "demo"), "no password in the URL");
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
  }

  private static void assertPortsExist(Service s, Deployment d) {
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    for (ServicePort p : s.getSpec().getPorts()) {
      String target = p.getTargetPort().getStrVal();
      if (target == null) {
        fail(s.getMetadata().getName() + ": target ports by name, so that they follow the container");
      }
      assertEquals(p.getPort().intValue(), port(c, target), s.getMetadata().getName() + " " + target);
    }
  }
}
