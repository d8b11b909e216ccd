package io.chatpresence.bench;

import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.json.JsonObject;

import java.io.IOException;

/**
 * The product alone in its own JVM, for memory figures that are the server's only: started by the
 * {@code connections} scenario, prints {@code READY {json}} and runs until its standard input closes.
 * Arguments: the server settings (JSON); then, for one part of a split product ({@code storm}), the part
 * ({@code chat} or {@code presence}), the cluster name and, for the part that joins, the database URL.
 */
public final class ServerMain {
  private ServerMain() {
  }

  public static void main(String[] args) throws IOException {
    JsonObject overrides = args.length > 0 ? new JsonObject(args[0]) : new JsonObject();
    BenchServer.Part part = args.length > 1 ? BenchServer.Part.valueOf(args[1].toUpperCase()) : BenchServer.Part.ALL;
    String cluster = args.length > 2 ? args[2] : null;
    String pgUrl = args.length > 3 ? args[3] : null;
    try (BenchServer server = BenchServer.start(overrides, 1, part, cluster, pgUrl)) {
      System.out.println("READY " + new JsonObject()
        .put("pid", ProcessHandle.current().pid())
        .put(ConfigKeys.CHAT_PORT, server.chatPort)
        .put(ConfigKeys.PRESENCE_PORT, server.presencePort)
        .put("RELAY_PORT", server.relayPort)
        .put(ConfigKeys.PG_URL, server.pgUrl)
        .put("PG_DIR", server.db == null ? null : server.pgDir().toString())
        .encode());
      System.out.flush();
      while (System.in.read() >= 0) {
        // runs until the parent closes our input (or dies)
      }
    }
    System.exit(0);
  }
}
