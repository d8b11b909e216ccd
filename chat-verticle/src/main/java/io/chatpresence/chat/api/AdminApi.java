package io.chatpresence.chat.api;

import io.chatpresence.chat.ChatFrames;
import io.chatpresence.chat.socket.ChatSocketHandler;
import io.chatpresence.chat.store.AccountStore;
import io.chatpresence.chat.store.AdminStore;
import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Names;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.SessionsRevoked;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static io.chatpresence.server.web.HttpSupport.error;
import static io.chatpresence.server.web.HttpSupport.json;

/**
 * The server-side API (contract "Server-side API"), behind {@link AdminAuth}: users, groups and members,
 * messages sent as a user, revoke all of a user's sessions, ban. Sends, joins and leaves go through the chat
 * path ({@link ChatSocketHandler}), so they are stored and delivered like a client's.
 */
final class AdminApi {
  static final List<String> OPERATION_IDS = List.of("adminCreateUser", "adminCreateGroup", "adminAddMember",
    "adminRemoveMember", "adminSendMessage", "adminRevokeSessions", "adminBan", "adminUnban");

  private final Vertx vertx;
  private final AccountStore accounts;
  private final AdminStore admin;
  private final ChatSocketHandler chat;
  private final PasswordHasher hasher;
  private final int maxContentChars;

  AdminApi(Vertx vertx, AccountStore accounts, AdminStore admin, ChatSocketHandler chat, PasswordHasher hasher,
           int maxContentChars) {
    this.vertx = vertx;
    this.accounts = accounts;
    this.admin = admin;
    this.chat = chat;
    this.hasher = hasher;
    this.maxContentChars = maxContentChars;
  }

  Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
      "adminCreateUser", this::createUser,
      "adminCreateGroup", this::createGroup,
      "adminAddMember", ctx -> addMember(ctx, true),
      "adminRemoveMember", ctx -> addMember(ctx, false),
      "adminSendMessage", this::sendMessage,
      "adminRevokeSessions", this::revoke,
      "adminBan", ctx -> ban(ctx, true),
      "adminUnban", ctx -> ban(ctx, false));
  }

  private void createUser(RoutingContext ctx) {
    JsonObject body = RestApi.body(ctx);
    String username = body.getString("username");
    String password = body.getString("password");
    if (!Names.isUsername(username)) {
      error(ctx, 400, ErrorCode.INVALID, ApiErrors.USERNAME_RULE);
      return;
    }
    Future<String> hash = password == null ? Future.succeededFuture(null)
      : vertx.executeBlocking(() -> hasher.hash(password), false);
    hash.compose(h -> accounts.create(username, h)).onComplete(ar -> {
      if (ar.failed()) {
        ApiErrors.unavailable(ctx, ar.cause());
      } else if (!ar.result()) {
        error(ctx, 409, ErrorCode.CONFLICT, "username is taken");
      } else {
        json(ctx, 201, new JsonObject().put("username", username).put("hasPassword", password != null));
      }
    });
  }

  private void createGroup(RoutingContext ctx) {
    JsonObject body = RestApi.body(ctx);
    String name = body.getString("name").strip();
    if (!Names.isGroupName(name)) {
      error(ctx, 400, ErrorCode.INVALID, ApiErrors.GROUP_NAME_RULE);
      return;
    }
    LinkedHashSet<String> unique = new LinkedHashSet<>();
    for (Object member : body.getJsonArray("members", new JsonArray())) {
      if (!(member instanceof String m) || !Names.isUsername(m)) {
        error(ctx, 400, ErrorCode.INVALID, "members must be usernames: " + Names.USERNAME_RULE);
        return;
      }
      unique.add(m);
    }
    List<String> members = new ArrayList<>(unique);
    String groupId = ConversationStore.newGroupId();
    admin.createGroup(groupId, name, members)
      .<Object>map(v -> {
        chat.groupCreated(groupId, members);
        return ChatFrames.newGroup(groupId, name, members.isEmpty() ? null : members.get(0))
          .put("members", new JsonArray(members));
      })
      .onComplete(ar -> RestApi.answer(ctx, ar, 201));
  }

  private void addMember(RoutingContext ctx, boolean add) {
    String groupId = ctx.pathParam("groupId");
    String username = ctx.pathParam("username");
    if (!Names.isUsername(username)) {
      error(ctx, 400, ErrorCode.INVALID, ApiErrors.USERNAME_RULE);
      return;
    }
    existing(username)
      .compose(v -> add ? chat.addMember(groupId, username).<Void>mapEmpty() : chat.removeMember(groupId, username))
      .<Object>map(v -> null)
      .onComplete(ar -> noContent(ctx, ar));
  }

  private void sendMessage(RoutingContext ctx) {
    JsonObject body = RestApi.body(ctx);
    String from = body.getString("from");
    String to = body.getString("to");
    String groupId = body.getString("groupId");
    String content = body.getString("content");
    if (!Names.isUsername(from) || (to == null) == (groupId == null) || (to != null && (!Names.isUsername(to)
      || to.equals(from)))) {
      error(ctx, 400, ErrorCode.INVALID, "give 'from' and either 'to' (another user) or 'groupId'");
      return;
    }
    if (content.isEmpty() || content.length() > maxContentChars) {
      error(ctx, 400, ErrorCode.INVALID, "content must be 1 to " + maxContentChars + " characters");
      return;
    }
    existing(from).compose(v -> to == null ? Future.succeededFuture() : existing(to))
      .compose(v -> chat.sendAs(from, to, groupId, content))
      .<Object>map(ChatFrames::received)
      .onComplete(ar -> RestApi.answer(ctx, ar, 201));
  }

  private void revoke(RoutingContext ctx) {
    String username = ctx.pathParam("username");
    found(admin.revokeAll(username), username)
      .onComplete(ar -> ended(ctx, ar, username, "all sessions of this user were ended"));
  }

  private void ban(RoutingContext ctx, boolean banned) {
    String username = ctx.pathParam("username");
    found(admin.setBanned(username, banned), username).onComplete(ar -> {
      if (banned) {
        ended(ctx, ar, username, "account banned");
      } else {
        noContent(ctx, ar);
      }
    });
  }

  private static Future<Object> found(Future<Boolean> changed, String username) {
    return changed.compose(found -> found ? Future.succeededFuture()
      : Future.failedFuture(ProtocolException.notFound("no user " + username)));
  }

  /** Committed: every node closes the user's sockets (4401). */
  private void ended(RoutingContext ctx, io.vertx.core.AsyncResult<Object> ar, String username, String reason) {
    if (ar.succeeded()) {
      Bus.SESSIONS_REVOKED.publish(vertx.eventBus(), new SessionsRevoked(username, reason));
    }
    noContent(ctx, ar);
  }

  private Future<Void> existing(String username) {
    return admin.exists(username).compose(found -> found ? Future.succeededFuture()
      : Future.failedFuture(ProtocolException.notFound("no user " + username)));
  }

  private static void noContent(RoutingContext ctx, io.vertx.core.AsyncResult<Object> ar) {
    if (ar.succeeded()) {
      ctx.response().setStatusCode(204).end();
    } else {
      RestApi.answer(ctx, ar, 204);
    }
  }
}
