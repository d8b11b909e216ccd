package io.chatpresence.launcher.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.internal.config.override.ExternalConfigurationOverride;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Hazelcast config a clustered process starts with (bootstrapping: the verticles never read it). */
public final class HazelcastConfig {
  /** The Hazelcast XML that {@code -cluster} uses (a file, or {@code classpath:NAME}); default cluster.xml. */
  public static final String CONFIG_PROPERTY = "vertx.hazelcast.config";

  private HazelcastConfig() {
  }

  /**
   * The Hazelcast config of {@code vertx.hazelcast.config} (default: {@code cluster.xml} on the classpath, the
   * loopback config), with the cluster name replaced when {@code clusterName} is given.
   */
  public static Config load(String clusterName) {
    String location = System.getProperty(CONFIG_PROPERTY);
    if (location != null && !location.startsWith("classpath:") && !Files.isRegularFile(Path.of(location))) {
      // vertx-hazelcast would quietly fall back to the classpath config (loopback only): each pod alone
      throw new IllegalStateException(CONFIG_PROPERTY + " names " + location + ", which is not a readable file");
    }
    // Hazelcast applies its HZ_* environment overrides (e.g. HZ_NETWORK_JOIN_KUBERNETES_SERVICEDNS) only in
    // Config.load(); vertx-hazelcast builds the XML itself, so apply them here
    Config config = new ExternalConfigurationOverride().overwriteMemberConfig(ConfigUtil.loadConfig());
    if (clusterName != null && !clusterName.isBlank()) {
      config.setClusterName(clusterName);
    }
    return config;
  }
}
