package io.chatpresence.server.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.UUID;
import java.util.function.Consumer;

/** What the verticles need to know of the cluster: this node's id and when a member goes away. */
public final class ClusterSupport {
  /** Stands for the node of a Vert.x instance that is not clustered. */
  private static final String LOCAL = "local-" + UUID.randomUUID();
  /** Where vertx-hazelcast keeps a member's Vert.x node id (not the Hazelcast member UUID). */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private ClusterSupport() {
  }

  /** The Vert.x cluster node id, or one id for every unclustered instance of this JVM. */
  public static String nodeId(Vertx vertx) {
    ClusterManager cm = clusterManager(vertx);
    return cm == null ? LOCAL : cm.getNodeId();
  }

  /**
   * Calls {@code onRemoved} with the node id of every member that leaves or is dropped by failure detection,
   * and {@code onAdded} for every member that joins (or comes back after a merge), on the caller's context. Returns what undoes the registration. A no-op when not clustered on Hazelcast.
   * (Vert.x's own {@code ClusterManager.nodeListener} is taken by the event bus, so we ask Hazelcast.)
   */
  public static Runnable onMembershipChange(Vertx vertx, Consumer<String> onAdded, Consumer<String> onRemoved) {
    if (!(clusterManager(vertx) instanceof HazelcastClusterManager hz) || hz.getHazelcastInstance() == null) {
      return () -> { };
    }
    Context context = vertx.getOrCreateContext();
    HazelcastInstance instance = hz.getHazelcastInstance();
    UUID registration = instance.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        String node = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        if (node != null) {
          context.runOnContext(v -> onAdded.accept(node));
        }
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String node = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        if (node != null) {
          context.runOnContext(v -> onRemoved.accept(node));
        }
      }
    });
    return () -> {
      try {
        instance.getCluster().removeMembershipListener(registration);
      } catch (RuntimeException ignored) {
        // the instance is already shutting down
      }
    };
  }

  /**
   * Liveness of the cluster member: {@code null} when not clustered on Hazelcast, else whether its Hazelcast
   * instance still runs (a member that Hazelcast shut down, e.g. after a failed merge, cannot recover).
   */
  public static Boolean memberRunning(Vertx vertx) {
    HazelcastInstance instance = hazelcast(vertx);
    return instance == null ? null : instance.getLifecycleService().isRunning();
  }

  /**
   * Readiness of the cluster, blocking (Hazelcast asks the other members): {@code {"clustered":false}} when not
   * clustered, else the member count, this node and whether the cluster is safe (every partition has its backups
   * in sync, so no data is lost if one member goes). Throws when the member is not running or not safe.
   */
  public static JsonObject readinessBlocking(Vertx vertx) {
    HazelcastInstance instance = hazelcast(vertx);
    if (instance == null) {
      return new JsonObject().put("clustered", false);
    }
    if (!instance.getLifecycleService().isRunning()) {
      throw new IllegalStateException("the Hazelcast member is not running");
    }
    int members = instance.getCluster().getMembers().size();
    JsonObject data = new JsonObject().put("clustered", true).put("members", members).put("node", nodeId(vertx));
    if (!instance.getPartitionService().isClusterSafe()) {
      throw new IllegalStateException("cluster not safe yet (partitions migrating), " + members + " members");
    }
    return data.put("safe", true);
  }

  private static HazelcastInstance hazelcast(Vertx vertx) {
    return clusterManager(vertx) instanceof HazelcastClusterManager hz ? hz.getHazelcastInstance() : null;
  }

  private static ClusterManager clusterManager(Vertx vertx) {
    return vertx instanceof VertxInternal internal && vertx.isClustered() ? internal.clusterManager() : null;
  }
}
