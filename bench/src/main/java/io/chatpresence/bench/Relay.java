package io.chatpresence.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The baseline: a bare Vert.x WebSocket relay, one verticle instance like the product's chat verticle (more with
 * {@code -Dbench.relayInstances=N}: one map of sockets shared by all, each instance on an event loop of its own). AUTH
 * names the socket (the token is the name, nothing is checked); a frame with a "to" is forwarded as is to that
 * socket and the sender gets a SUCCESS. No database, no event bus, no limits.
 */
final class Relay extends VerticleBase {
  private final int port;
  private final Map<String, ServerWebSocket> sockets;

  Relay(int port, Map<String, ServerWebSocket> sockets) {
    this.port = port;
    this.sockets = sockets;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
      .webSocketHandler(ws -> {
        String[] name = {null};
        ws.textMessageHandler(text -> {
          JsonObject frame = new JsonObject(text);
          if (name[0] == null) {
            name[0] = frame.getString("token");
            sockets.put(name[0], ws);
            ws.writeTextMessage("{\"type\":\"SUCCESS\",\"msg\":\"authenticated\",\"username\":\"" + name[0] + "\"}");
            return;
          }
          ServerWebSocket to = sockets.get(frame.getString("to"));
          if (to != null) {
            to.writeTextMessage(text);
          }
          ws.writeTextMessage("{\"type\":\"SUCCESS\",\"msg\":\"sent\"}");
        });
        ws.closeHandler(v -> {
          if (name[0] != null) {
            sockets.remove(name[0], ws);
          }
        });
      })
      .listen();
  }
}
