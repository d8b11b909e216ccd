package io.chatpresence.presence;

import io.chatpresence.server.db.UnnestStatement;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * SQL for contacts: the users who share a one-to-one chat or a group with someone. Groups over
 * {@code groupLimit} members do not make contacts, so one status change never fans out to a community. Two
 * users with a block either way are never contacts (two primary-key probes of {@code blocks} per candidate).
 */
final class ContactStore {
  private static final String CONTACTS_SQL =
    "SELECT contact FROM ("
      + "SELECT CASE WHEN c.user_a = $1 THEN c.user_b ELSE c.user_a END AS contact FROM conversations c "
      + "WHERE c.kind = 'C' AND (c.user_a = $1 OR c.user_b = $1) "
      + "UNION "
      + "SELECT other.username FROM group_members mine "
      + "JOIN conversations g ON g.id = mine.conversation_id AND g.member_count <= $2 "
      + "JOIN group_members other ON other.conversation_id = mine.conversation_id AND other.username <> $1 "
      + "WHERE mine.username = $1) k "
      + "WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = $1 AND b.blocked = k.contact) "
      + "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = k.contact AND b.blocked = $1)";

  /** {@link #CONTACTS_SQL} for a batch ($1 usernames, $2 group limits; {@link UnnestStatement}), rows by {@code ord}. */
  private static final String CONTACTS_OF_MANY_SQL =
    "SELECT t.ord, k.contact FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS t(username, group_limit, ord) "
      + "CROSS JOIN LATERAL ("
      + "SELECT CASE WHEN c.user_a = t.username THEN c.user_b ELSE c.user_a END AS contact FROM conversations c "
      + "WHERE c.kind = 'C' AND (c.user_a = t.username OR c.user_b = t.username) "
      + "UNION "
      + "SELECT other.username FROM group_members mine "
      + "JOIN conversations g ON g.id = mine.conversation_id AND g.member_count <= t.group_limit "
      + "JOIN group_members other ON other.conversation_id = mine.conversation_id AND other.username <> t.username "
      + "WHERE mine.username = t.username) k "
      + "WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = t.username AND b.blocked = k.contact) "
      + "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = k.contact AND b.blocked = t.username)";

  /** Lookups per batch and batches out at once: users coming online together share one statement. */
  private static final int MAX_BATCH = 128;
  private static final int MAX_BATCHES_IN_FLIGHT = 2;

  private final UnnestStatement contacts;
  private final int groupLimit;

  /** One per verticle instance: lookups are batched on its event loop. */
  ContactStore(Pool pool, int groupLimit) {
    this.contacts = new UnnestStatement(pool.preparedQuery(CONTACTS_OF_MANY_SQL), pool.preparedQuery(CONTACTS_SQL),
      List.of(String.class, Integer.class), MAX_BATCH, MAX_BATCHES_IN_FLIGHT);
    this.groupLimit = groupLimit;
  }

  Future<List<String>> contactsOf(String username) {
    return contacts.execute(0, Tuple.of(username, groupLimit)).map(rows -> {
      List<String> contacts = new ArrayList<>(rows.size());
      for (Row row : rows) {
        contacts.add(row.getString("contact"));
      }
      return contacts;
    });
  }
}
