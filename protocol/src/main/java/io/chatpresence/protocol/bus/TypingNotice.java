package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * {@code typist} started ({@code typing}) or stopped typing in a conversation: {@code idField} is "chatId" or
 * "groupId", {@code conversationId} its value. Published by the chat instance holding the typist's socket (which
 * absorbs repeats and times the indicator out) to every chat instance; each writes the TYPING frame to its own
 * sockets of {@code recipients} that opted into {@code typing}, and remembers the indicator with {@code node}
 * (the typist's node) so that it can end it itself if that node dies or goes silent.
 */
public record TypingNotice(String typist, String idField, String conversationId, boolean typing,
                           List<String> recipients, String node) implements BusRecord {
  public TypingNotice {
    recipients = List.copyOf(recipients);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("typist", typist).put("idField", idField).put("conversationId", conversationId)
      .put("typing", typing).put("recipients", new JsonArray(recipients)).put("node", node);
  }

  @SuppressWarnings("unchecked")
  static TypingNotice fromJson(JsonObject json) {
    return new TypingNotice(json.getString("typist"), json.getString("idField"), json.getString("conversationId"),
      json.getBoolean("typing"), json.getJsonArray("recipients").getList(), json.getString("node"));
  }
}
