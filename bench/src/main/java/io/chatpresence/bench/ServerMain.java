package io.chatpresence.bench;

import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.json.JsonObject;

import java.io.IOException;

/**
 * The product alone in its own JVM, for memory figures that are the server's only: started by the
 * {@code connections} scenario, prints {@code READY {json}} and runs until its standard input closes.
 */
public final class ServerMain {
  private ServerMain() {
  }

  public static void main(String[] args) throws IOException {
    JsonObject overrides = args.length > 0 ? new JsonObject(args[0]) : new JsonObject();
    try (BenchServer server = BenchServer.start(overrides)) {
      System.out.println("READY " + new JsonObject()
        .put("pid", ProcessHandle.current().pid())
        .put(ConfigKeys.CHAT_PORT, server.chatPort)
        .put(ConfigKeys.PRESENCE_PORT, server.presencePort)
        .put("RELAY_PORT", server.relayPort)
        .put(ConfigKeys.PG_URL, server.db.url())
        .encode());
      System.out.flush();
      while (System.in.read() >= 0) {
        // runs until the parent closes our input (or dies)
      }
    }
    System.exit(0);
  }
}
