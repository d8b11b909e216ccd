package io.chatpresence.chat.api;

import io.chatpresence.chat.ChatFrames;
import io.chatpresence.chat.socket.ChatSocketHandler;
import io.chatpresence.chat.store.AccountStore;
import io.chatpresence.chat.store.BlockStore;
import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.GroupSummary;
import io.chatpresence.chat.store.PersonalDataStore;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.protocol.bus.BlocksChanged;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.SessionsRevoked;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

import static io.chatpresence.server.web.HttpSupport.error;

/**
 * Personal data (contract "Server-side API", personal data): export and erasure, by the user
 * ({@code GET /api/me/export}, {@code DELETE /api/me}) and by the server-side API. Erasure: the account is
 * closed at once (no login, no AUTH, no REST, every token refused), its sockets closed on every node, its
 * memberships removed (members hear INFO LEFT), its blocks removed both ways, the text of every message it sent
 * erased in batches (rows kept, marked deleted), and a tombstone row kept so that the name cannot pass for the
 * erased user.
 */
final class PersonalDataApi {
  private static final Logger LOG = LoggerFactory.getLogger(PersonalDataApi.class);
  /** groupsOf's LIMIT. */
  private static final int GROUPS_PAGE = 1000;
  static final List<String> OPERATION_IDS = List.of("exportMe", "deleteMe", "adminExportUser", "adminEraseUser");

  private final Vertx vertx;
  private final AccountStore accounts;
  private final ConversationStore conversations;
  private final PersonalDataStore data;
  private final BlockStore blocks;
  private final ChatSocketHandler chat;
  private final PasswordHasher hasher;

  PersonalDataApi(Vertx vertx, AccountStore accounts, ConversationStore conversations, PersonalDataStore data,
                  BlockStore blocks, ChatSocketHandler chat, PasswordHasher hasher) {
    this.vertx = vertx;
    this.accounts = accounts;
    this.conversations = conversations;
    this.data = data;
    this.blocks = blocks;
    this.chat = chat;
    this.hasher = hasher;
  }

  Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
      "exportMe", ctx -> export(ctx, BearerAuth.claims(ctx).username()),
      "deleteMe", this::deleteMe,
      "adminExportUser", ctx -> export(ctx, ctx.pathParam("username")),
      "adminEraseUser", ctx -> erase(ctx, ctx.pathParam("username")));
  }

  // ---- export ---------------------------------------------------------------------------------------

  /**
   * Streamed: the account, chats, groups, read positions and blocks (whom the user blocks), then every message
   * the user sent, page by page.
   */
  private void export(RoutingContext ctx, String username) {
    data.account(username).compose(account -> {
      if (account == null) {
        return Future.failedFuture(ProtocolException.notFound("no user " + username));
      }
      return Future.all(data.chats(username), conversations.groupsOf(username), data.readPositions(username),
        blocks.list(username)).map(all -> {
          List<GroupSummary> groups = all.resultAt(1);
          return "{\"account\":" + account.encode() + ",\"chats\":" + all.<JsonArray>resultAt(0).encode()
            + ",\"groups\":" + ChatFrames.groups(groups).encode()
            + ",\"readPositions\":" + all.<JsonArray>resultAt(2).encode()
            + ",\"blocks\":" + all.<JsonArray>resultAt(3).encode() + ",\"messages\":[";
        });
    }).onComplete(ar -> {
      if (ar.failed()) {
        RestApi.answer(ctx, ar.map(s -> (Object) s), 200);
        return;
      }
      HttpServerResponse response = ctx.response().setChunked(true).putHeader("Content-Type", "application/json")
        .putHeader("Content-Disposition", "attachment; filename=\"" + username + "-export.json\"");
      response.write(ar.result()).compose(v -> messages(response, username, 0, true))
        .compose(v -> response.end("]}"))
        .onFailure(e -> {
          // the status is sent: all we can do is cut the body short, so the client sees invalid JSON
          LOG.warn("Export of {} failed midway: {}", username, e.toString());
          response.reset();
        });
    });
  }

  private Future<Void> messages(HttpServerResponse response, String username, long afterId, boolean first) {
    return data.messagesAfter(username, afterId).compose(page -> {
      if (page.isEmpty()) {
        return Future.succeededFuture();
      }
      StringBuilder chunk = new StringBuilder();
      boolean comma = !first;
      long last = afterId;
      for (Object o : page) {
        JsonObject m = (JsonObject) o;
        last = m.getLong("id");
        m.remove("id");
        chunk.append(comma ? "," : "").append(m.encode());
        comma = true;
      }
      long next = last;
      return response.write(chunk.toString()).compose(v -> messages(response, username, next, false));
    });
  }

  // ---- erasure --------------------------------------------------------------------------------------

  /** A local account confirms with its password; a provider's account (no password) with its token alone. */
  private void deleteMe(RoutingContext ctx) {
    String username = BearerAuth.claims(ctx).username();
    JsonObject validated = ctx.body() == null || ctx.body().length() == 0 ? null : RestApi.body(ctx);
    JsonObject body = validated == null ? new JsonObject() : validated;
    String password = body.getValue("password") instanceof String s ? s : null;
    accounts.passwordHash(username).compose(stored -> {
      if (stored == null) {
        return Future.succeededFuture(true);
      }
      if (password == null || password.length() > 128) {
        return Future.succeededFuture(false);
      }
      return vertx.executeBlocking(() -> hasher.verify(password, stored), false);
    }).onComplete(ar -> {
      if (ar.failed()) {
        ApiErrors.unavailable(ctx, ar.cause());
      } else if (!ar.result()) {
        error(ctx, 401, ErrorCode.AUTH_FAILED, "give this account's password to delete it: {\"password\":...}");
      } else {
        erase(ctx, username);
      }
    });
  }

  private void erase(RoutingContext ctx, String username) {
    long started = System.nanoTime();
    data.closeAccount(username).compose(found -> {
      if (!found) {
        return Future.failedFuture(ProtocolException.notFound("no user " + username));
      }
      Bus.SESSIONS_REVOKED.publish(vertx.eventBus(), new SessionsRevoked(username, "account erased"));
      return leaveAll(username).compose(v -> eraseBlocks(username)).compose(v -> eraseMessages(username, 0, 0))
        .compose(erased ->
        data.forgetRevocations(username).map(erased));
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("Erased {}: {} batches of messages in {} ms", username, ar.result(),
          (System.nanoTime() - started) / 1_000_000);
        ctx.response().setStatusCode(204).end();
      } else {
        // the account is closed already; a retry of the same call finishes the rest (see erase's docs)
        RestApi.answer(ctx, ar.map(n -> (Object) n), 204);
      }
    });
  }

  /** Every group, one after another (members hear INFO LEFT); read again while a full page came. */
  private Future<Void> leaveAll(String username) {
    return conversations.groupsOf(username).compose(groups -> {
      Future<Void> chain = Future.succeededFuture();
      for (GroupSummary g : groups) {
        chain = chain.compose(v -> chat.removeMember(g.groupId(), username)
          .recover(e -> e instanceof ProtocolException ? Future.succeededFuture() : Future.failedFuture(e)));
      }
      return groups.size() < GROUPS_PAGE ? chain : chain.compose(v -> leaveAll(username));
    });
  }

  /** The user's blocks, both ways; chat instances forget them (BlocksChanged). */
  private Future<Void> eraseBlocks(String username) {
    return blocks.eraseAll(username).map(removed -> {
      removed.forEach(pair -> Bus.BLOCKS_CHANGED.publish(vertx.eventBus(),
        new BlocksChanged(pair.blocker(), pair.blocked(), false)));
      return null;
    });
  }

  /** Batch after batch, each its own statement: other users' sends get the pool and the rows between batches. */
  private Future<Integer> eraseMessages(String username, long afterId, int batches) {
    return data.eraseBatch(username, afterId).compose(last -> last < 0 ? Future.succeededFuture(batches)
      : eraseMessages(username, last, batches + 1));
  }
}
