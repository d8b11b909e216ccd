package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * {@code user} just became a contact of each of {@code contacts} (a chat was created, a group joined): presence
 * shows them each other's status at once instead of at their next change.
 */
public record ContactsChanged(String user, List<String> contacts) implements BusRecord {
  public ContactsChanged {
    contacts = List.copyOf(contacts);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("user", user).put("contacts", new JsonArray(contacts));
  }

  @SuppressWarnings("unchecked")
  static ContactsChanged fromJson(JsonObject json) {
    return new ContactsChanged(json.getString("user"), json.getJsonArray("contacts").getList());
  }
}
