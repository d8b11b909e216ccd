package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.UUID;

/**
 * Two clustered nodes for one test class (real Hazelcast on loopback, in the test JVM, a cluster name of their
 * own): A and B, each running chat and, where asked, presence; users registered through A's REST API.
 * {@code @RegisterExtension static final TwoNodes nodes = TwoNodes.chat("edit-test").presenceOnA();}
 */
final class TwoNodes implements BeforeAllCallback, AfterAllCallback {
  private final String cluster;
  private boolean presenceOnA;
  private boolean presenceOnB;
  private ClusterNode a;
  private ClusterNode b;
  private Rest rest;
  private int users;

  private TwoNodes(String prefix) {
    this.cluster = prefix + "-" + UUID.randomUUID();
  }

  /** Chat on both nodes. */
  static TwoNodes chat(String prefix) {
    return new TwoNodes(prefix);
  }

  TwoNodes presenceOnA() {
    presenceOnA = true;
    return this;
  }

  TwoNodes presenceOnB() {
    presenceOnB = true;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    a = ClusterNode.join(cluster).withChat();
    if (presenceOnA) {
      a.withPresence();
    }
    b = ClusterNode.join(cluster).withChat();
    if (presenceOnB) {
      b.withPresence();
    }
    rest = new Rest(a.chatPort);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    for (ClusterNode n : new ClusterNode[] {b, a}) {
      if (n != null) {
        n.close();
      }
    }
  }

  ClusterNode a() {
    return a;
  }

  ClusterNode b() {
    return b;
  }

  /** The REST API of node A. */
  Rest rest() {
    return rest;
  }

  /** The cluster's name, for a third node that joins it. */
  String cluster() {
    return cluster;
  }

  /** A new registered user, named after {@code prefix} and this cluster. */
  TestServer.User user(String prefix) {
    String name = prefix + "_" + cluster.substring(cluster.length() - 6) + "_" + (++users);
    return new TestServer.User(name, rest.register(name, "password-" + name));
  }

  /** An authenticated chat socket of {@code u} on {@code node}, opted into {@code features}. */
  WsClient on(ClusterNode node, TestServer.User u, String... features) {
    return Extensions.chat(node.vertx, node.chatPort, u, features);
  }
}
