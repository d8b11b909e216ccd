package io.chatpresence.launcher;

import io.chatpresence.launcher.cluster.HazelcastConfig;
import io.chatpresence.server.config.AppConfig;
import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Settings: every one is in the README's table with its default, conf files hold only known settings and no
 * secret, secrets come from files, and the Hazelcast config takes Hazelcast's own overrides.
 */
class ConfigTest {
  private static final Path ROOT = K8sManifestsTest.ROOT;

  @Test
  void theReadmeListsEverySettingWithItsDefault() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String table = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("## Documentation"));
    Map<String, String> defaults = new HashMap<>();
    Pattern row = Pattern.compile("^\\| (`[A-Z_]+`(?: / `[A-Z_]+`)*) \\| ([^|]*) \\|", Pattern.MULTILINE);
    Matcher m = row.matcher(table);
    while (m.find()) {
      String[] keys = m.group(1).replace("`", "").split(" / ");
      String[] values = m.group(2).trim().split(" / ");
      for (int i = 0; i < keys.length; i++) {
        defaults.put(keys[i], values.length == keys.length ? values[i].trim() : m.group(2).trim());
      }
    }
    Set<String> all = new HashSet<>(ConfigKeys.all());
    all.addAll(ConfigKeys.PROCESS_ENV);
    for (String key : all) {
      assertTrue(defaults.containsKey(key), () -> key + " is not in the README's configuration table");
    }
    JsonObject actual = ConfigKeys.defaults();
    for (String key : actual.fieldNames()) {
      Object value = actual.getValue(key);
      String documented = defaults.get(key).replace("`", "");
      if (value instanceof Number n) {
        assertEquals(n.doubleValue(), Double.parseDouble(documented), key);
      } else {
        assertEquals(String.valueOf(value), documented, key);
      }
    }
  }

  @Test
  void confFilesHoldKnownSettingsAndNoSecret() throws Exception {
    List<Path> confs;
    try (Stream<Path> files = Files.list(ROOT.resolve("conf"))) {
      confs = files.filter(p -> p.toString().endsWith(".json")).toList();
    }
    assertEquals(3, confs.size());
    for (Path conf : confs) {
      JsonObject json = new JsonObject(Files.readString(conf));
      for (String key : json.fieldNames()) {
        assertTrue(ConfigKeys.all().contains(key), () -> conf + ": " + key + " is no setting");
        assertFalse(ConfigKeys.SECRETS.contains(key) || key.endsWith(ConfigKeys.FILE_SUFFIX), () -> conf + ": secret " + key);
      }
    }
  }

  @Test
  void secretsComeFromFilesAndThePasswordGoesIntoTheUrl() throws Exception {
    Path secret = Files.createTempFile("jwt", "");
    Files.writeString(secret, "from-the-file\n");
    Path password = Files.createTempFile("pg", "");
    String raw = "p@ss:w/rd +%&?#é";
    Files.writeString(password, raw + "\n");
    JsonObject config = AppConfig.resolveSecrets(new JsonObject()
      .put(ConfigKeys.JWT_SECRET, "from-the-conf").put(ConfigKeys.JWT_SECRET_FILE, secret.toString())
      .put(ConfigKeys.PG_URL, "postgresql://chat:old@db.example:5433/chat").put(ConfigKeys.PG_PASSWORD_FILE, password.toString()));
    assertEquals("from-the-file", config.getString(ConfigKeys.JWT_SECRET));
    PgConnectOptions pg = PgConnectOptions.fromUri(config.getString(ConfigKeys.PG_URL));
    assertEquals("chat", pg.getUser());
    assertEquals(raw, pg.getPassword());
    assertEquals("db.example", pg.getHost());
    assertEquals(5433, pg.getPort());
    assertEquals("chat", pg.getDatabase());

    assertThrows(IllegalStateException.class, () -> AppConfig.resolveSecrets(new JsonObject()
      .put(ConfigKeys.JWT_SECRET_FILE, secret.resolveSibling("no-such-file").toString())), "a missing mount fails the start");
    assertThrows(IllegalStateException.class, () -> AppConfig.resolveSecrets(new JsonObject()
      .put(ConfigKeys.PG_URL, "postgresql://db/chat").put(ConfigKeys.PG_PASSWORD, "x")), "a password needs a user");
  }

  @Test
  void theHazelcastConfigTakesHazelcastOverridesAndMustExist() {
    String dns = "chat-presence-hazelcast.some-namespace.svc.cluster.local";
    try {
      System.setProperty(HazelcastConfig.CONFIG_PROPERTY, ROOT.resolve("conf/cluster-kubernetes.xml").toString());
      // the system-property form of HZ_NETWORK_JOIN_KUBERNETES_SERVICEDNS (same override mechanism)
      System.setProperty("hz.network.join.kubernetes.service-dns", dns);
      var config = HazelcastConfig.load("renamed");
      assertEquals("renamed", config.getClusterName());
      var kubernetes = config.getNetworkConfig().getJoin().getKubernetesConfig();
      assertTrue(kubernetes.isEnabled());
      assertEquals(dns, kubernetes.getProperty("service-dns"));
      assertFalse(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());

      System.setProperty(HazelcastConfig.CONFIG_PROPERTY, ROOT.resolve("conf/no-such.xml").toString());
      assertThrows(IllegalStateException.class, () -> HazelcastConfig.load(null),
        "not the silent fallback to the loopback config");
    } finally {
      System.clearProperty(HazelcastConfig.CONFIG_PROPERTY);
      System.clearProperty("hz.network.join.kubernetes.service-dns");
    }
  }
}
