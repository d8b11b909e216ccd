package io.chatpresence.chat.api;

import io.chatpresence.chat.ChatFrames;
import io.chatpresence.chat.store.AccountStore;
import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.InboxCursor;
import io.chatpresence.chat.store.ReadStore;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.ContactsChanged;
import io.chatpresence.protocol.bus.StatusQuery;
import io.chatpresence.protocol.bus.StatusReply;
import io.chatpresence.protocol.bus.TokenRevoked;
import io.chatpresence.server.auth.Authenticator;
import io.chatpresence.server.auth.Claims;
import io.chatpresence.server.auth.IssuedToken;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Names;
import io.chatpresence.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

import static io.chatpresence.server.web.HttpSupport.error;
import static io.chatpresence.server.web.HttpSupport.json;

/** The REST API under {@code /api}: accounts, tokens, users, chats and groups. */
public final class RestApi {
  private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
  private static final String CLAIMS = "claims";
  /** The OpenAPI 3 document of this API, a classpath resource served as it is. */
  public static final String OPENAPI_PATH = "/api/openapi.json";
  public static final String OPENAPI_RESOURCE = "api/openapi.json";

  private final Vertx vertx;
  private final AccountStore accounts;
  private final ConversationStore conversations;
  private final ReadStore reads;
  private final Authenticator authenticator;
  private final PasswordHasher hasher;

  public RestApi(Vertx vertx, AccountStore accounts, ConversationStore conversations, ReadStore reads,
                 Authenticator authenticator, PasswordHasher hasher) {
    this.vertx = vertx;
    this.accounts = accounts;
    this.conversations = conversations;
    this.reads = reads;
    this.authenticator = authenticator;
    this.hasher = hasher;
  }

  public void mount(Router router) {
    router.route("/api/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.post("/api/auth/register").handler(this::register);
    router.post("/api/auth/login").handler(this::login);
    router.get(OPENAPI_PATH).handler(this::openApi);
    router.route("/api/*").handler(this::bearer);
    router.post("/api/auth/logout").handler(this::logout);
    router.get("/api/me").handler(ctx -> json(ctx, 200, new JsonObject().put("username", me(ctx))));
    router.get("/api/users").handler(this::users);
    router.post("/api/chats").handler(this::openChat);
    router.get("/api/chats").handler(ctx -> conversations.chatsOf(me(ctx))
      .onComplete(ar -> answer(ctx, ar.map(ChatFrames::chats), 200)));
    router.post("/api/groups").handler(this::createGroup);
    router.get("/api/groups").handler(ctx -> conversations.groupsOf(me(ctx))
      .onComplete(ar -> answer(ctx, ar.map(ChatFrames::groups), 200)));
    router.get("/api/inbox").handler(this::inbox);
    router.route("/api/*").handler(ctx -> error(ctx, 404, ErrorCode.NOT_FOUND, "no such API route"));
  }

  private void openApi(RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      try (java.io.InputStream in = RestApi.class.getClassLoader().getResourceAsStream(OPENAPI_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(OPENAPI_RESOURCE + " missing from the classpath");
        }
        return io.vertx.core.buffer.Buffer.buffer(in.readAllBytes());
      }
    }, false).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("Content-Type", "application/json").end(ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  private void register(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    String username = body.getValue("username") instanceof String s ? s : null;
    String password = body.getValue("password") instanceof String s ? s : null;
    if (!Names.isUsername(username)) {
      error(ctx, 400, ErrorCode.INVALID, "username must be " + Names.USERNAME_RULE);
      return;
    }
    if (password == null || password.length() < 8 || password.length() > 128) {
      error(ctx, 400, ErrorCode.INVALID, "password must be 8 to 128 characters");
      return;
    }
    vertx.executeBlocking(() -> hasher.hash(password), false)
      .compose(hash -> accounts.create(username, hash))
      .onComplete(ar -> {
        if (ar.failed()) {
          unavailable(ctx, ar.cause());
        } else if (!ar.result()) {
          error(ctx, 409, ErrorCode.CONFLICT, "username is taken");
        } else {
          json(ctx, 201, tokenBody(username, authenticator.tokens().issue(username)));
        }
      });
  }

  private void login(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    String username = body.getValue("username") instanceof String s ? s : null;
    String password = body.getValue("password") instanceof String s ? s : null;
    if (!Names.isUsername(username) || password == null || password.length() > 128) {
      error(ctx, 401, ErrorCode.AUTH_FAILED, "invalid username or password");
      return;
    }
    accounts.passwordHash(username)
      .compose(stored -> vertx.executeBlocking(() -> hasher.verify(password, stored), false))
      .onComplete(ar -> {
        if (ar.failed()) {
          unavailable(ctx, ar.cause());
        } else if (!ar.result()) {
          error(ctx, 401, ErrorCode.AUTH_FAILED, "invalid username or password");
        } else {
          json(ctx, 200, tokenBody(username, authenticator.tokens().issue(username)));
        }
      });
  }

  private void bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      error(ctx, 401, ErrorCode.AUTH_FAILED, "missing bearer token");
      return;
    }
    authenticator.authenticate(header.substring(7).trim()).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put(CLAIMS, ar.result());
        ctx.next();
      } else if (ar.cause() instanceof Authenticator.AuthFailure f) {
        error(ctx, 401, ErrorCode.AUTH_FAILED, f.getMessage());
      } else {
        unavailable(ctx, ar.cause());
      }
    });
  }

  private void logout(RoutingContext ctx) {
    Claims claims = ctx.get(CLAIMS);
    accounts.revoke(claims.jti(), claims.username(), claims.expiresAt()).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        return;
      }
      Bus.TOKEN_REVOKED.publish(vertx.eventBus(), new TokenRevoked(claims.username(), claims.jti()));
      ctx.response().setStatusCode(204).end();
    });
  }

  private void users(RoutingContext ctx) {
    String q = ctx.request().getParam("q", "");
    if (q.length() > 32 || q.indexOf(0) >= 0) {
      error(ctx, 400, ErrorCode.INVALID, "q is at most 32 characters, without NUL");
      return;
    }
    accounts.search(q, 50).compose(names -> statuses(names).map(statuses -> {
      JsonArray users = new JsonArray();
      names.forEach(n -> users.add(new JsonObject().put("username", n).put("status", statuses.getOrDefault(n, "unknown"))));
      return users;
    })).onComplete(ar -> answer(ctx, ar.map(u -> u), 200));
  }

  /** Statuses come from presence over the event bus; without an answer they are "unknown". */
  private Future<Map<String, String>> statuses(List<String> names) {
    if (names.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return Bus.PRESENCE_STATUS.request(vertx.eventBus(), new StatusQuery(names), 2000)
      .map(StatusReply::statuses)
      .otherwise(Map.of());
  }

  private void openChat(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    String me = me(ctx);
    String with = body.getValue("with") instanceof String s ? s : null;
    if (!Names.isUsername(with) || with.equals(me)) {
      error(ctx, 400, ErrorCode.INVALID, "'with' must be another user's username");
      return;
    }
    conversations.chatFor(me, with, null).onComplete(ar -> answer(ctx, ar.map(chat -> {
      if (chat.created()) {
        Bus.CONTACTS_CHANGED.publish(vertx.eventBus(), new ContactsChanged(me, List.of(with)));
      }
      return ChatFrames.chat(chat);
    }), 200));
  }

  /** The inbox (extension read): the same body as the INBOX frame. */
  private void inbox(RoutingContext ctx) {
    String limitParam = ctx.request().getParam("limit");
    String cursorParam = ctx.request().getParam("cursor");
    int limit = 50;
    InboxCursor cursor;
    try {
      if (limitParam != null) {
        limit = Integer.parseInt(limitParam);
        if (limit < 1 || limit > 200) {
          throw new NumberFormatException();
        }
      }
      cursor = cursorParam == null || cursorParam.isEmpty() ? null : InboxCursor.parse("cursor", cursorParam);
    } catch (NumberFormatException e) {
      error(ctx, 400, ErrorCode.INVALID, "limit must be an integer from 1 to 200");
      return;
    } catch (ProtocolException e) {
      error(ctx, 400, e.code(), e.getMessage());
      return;
    }
    reads.inbox(me(ctx), limit, cursor).onComplete(ar -> answer(ctx, ar.map(ChatFrames::inbox), 200));
  }

  private void createGroup(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    String name = body.getValue("name") instanceof String s ? s.strip() : null;
    if (!Names.isGroupName(name)) {
      error(ctx, 400, ErrorCode.INVALID, "name must be " + Names.GROUP_NAME_RULE);
      return;
    }
    String me = me(ctx);
    conversations.join(ConversationStore.newGroupId(), name, me).onComplete(ar -> answer(ctx, ar.map(joined ->
      ChatFrames.newGroup(joined.group().externalId(), name, me)), 201));
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private static String me(RoutingContext ctx) {
    return ctx.<Claims>get(CLAIMS).username();
  }

  private static JsonObject tokenBody(String username, IssuedToken token) {
    return new JsonObject().put("username", username).put("token", token.token())
      .put("expiresAt", io.chatpresence.protocol.Timestamps.format(token.expiresAt()));
  }

  /** The JSON object body, or null after answering 400. */
  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body != null) {
        return body;
      }
    } catch (RuntimeException e) {
      // answered below
    }
    error(ctx, 400, ErrorCode.INVALID, "body must be a JSON object");
    return null;
  }

  private static void answer(RoutingContext ctx, io.vertx.core.AsyncResult<Object> ar, int status) {
    if (ar.succeeded()) {
      json(ctx, status, ar.result());
    } else if (ar.cause() instanceof ProtocolException pe) {
      int code = switch (pe.code()) {
        case NOT_FOUND -> 404;
        case FORBIDDEN -> 403;
        case CONFLICT -> 409;
        default -> 400;
      };
      error(ctx, code, pe.code(), pe.getMessage());
    } else {
      unavailable(ctx, ar.cause());
    }
  }

  private static void unavailable(RoutingContext ctx, Throwable cause) {
    LOG.warn("{} {} failed: {}", ctx.request().method(), ctx.request().path(), cause.toString());
    error(ctx, 503, ErrorCode.UNAVAILABLE, "storage unavailable, try again");
  }
}
