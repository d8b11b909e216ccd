package io.chatpresence.chat.api;

import io.chatpresence.chat.ChatFrames;
import io.chatpresence.chat.store.AccountStore;
import io.chatpresence.chat.store.BlockStore;
import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.InboxCursor;
import io.chatpresence.chat.store.ReadStore;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.ContactsChanged;
import io.chatpresence.protocol.bus.StatusQuery;
import io.chatpresence.protocol.bus.StatusReply;
import io.chatpresence.protocol.bus.TokenRevoked;
import io.chatpresence.chat.socket.ChatSocketHandler;
import io.chatpresence.chat.store.AdminStore;
import io.chatpresence.chat.store.PersonalDataStore;
import io.chatpresence.server.metrics.Metrics;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Names;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.server.auth.Authenticator;
import io.chatpresence.server.auth.Claims;
import io.chatpresence.server.auth.IssuedToken;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.chatpresence.server.web.HttpSupport.error;
import static io.chatpresence.server.web.HttpSupport.json;

/**
 * The REST API under {@code /api}: accounts, tokens, users, chats, groups and blocks. Its routes, their request
 * validation and their bearer check come from the contract ({@link ApiContract}); this class has one handler
 * per operationId, which runs only on a request the contract accepted.
 */
public final class RestApi {
  /** The OpenAPI 3 document of this API, served as it is. */
  public static final String OPENAPI_PATH = ApiContract.PATH;
  private static final int BODY_LIMIT = 64 * 1024;
  private static final String BEARER = "bearer";
  private static final String ADMIN_KEY = "adminKey";
  private static final String ADMIN_PATHS = "/api/admin/*";

  private final Vertx vertx;
  private final AccountStore accounts;
  private final ConversationStore conversations;
  private final ReadStore reads;
  private final BlockStore blocks;
  private final BlocksApi blocksApi;
  private final Authenticator authenticator;
  private final PasswordHasher hasher;
  private boolean localLogin = true;
  private AdminKeys adminKeys = new AdminKeys(null);
  private AdminApi adminApi;
  private PersonalDataApi personalData;

  public RestApi(Vertx vertx, AccountStore accounts, ConversationStore conversations, ReadStore reads,
                 BlockStore blocks, Authenticator authenticator, PasswordHasher hasher) {
    this.vertx = vertx;
    this.accounts = accounts;
    this.conversations = conversations;
    this.reads = reads;
    this.blocks = blocks;
    this.blocksApi = new BlocksApi(vertx, blocks);
    this.authenticator = authenticator;
    this.hasher = hasher;
  }

  /** {@code false} ({@code LOCAL_LOGIN=false}): register and login are refused; accounts come from the provider. */
  public RestApi localLogin(boolean enabled) {
    this.localLogin = enabled;
    return this;
  }

  /**
   * The server-side API under {@code /api/admin/}: with no key configured, every path there is 404 (as if it did
   * not exist); its sends, joins and leaves go through {@code chat}.
   */
  public RestApi admin(String configuredKeys, ChatSocketHandler chat, AdminStore store, PersonalDataStore data,
                       int maxContentChars) {
    this.adminKeys = new AdminKeys(configuredKeys);
    this.adminApi = new AdminApi(vertx, accounts, store, chat, hasher, maxContentChars);
    this.personalData = new PersonalDataApi(vertx, accounts, conversations, data, blocks, chat, hasher);
    return this;
  }

  /** The handler of each operationId of the contract. */
  private Map<String, Handler<RoutingContext>> operations(ApiContract api) {
    Map<String, Handler<RoutingContext>> all = new java.util.HashMap<>(clientOperations(api));
    if (adminApi != null) {
      all.putAll(adminApi.operations());
    } else {
      // mounted but unreachable: the /api/admin/ prefix answers 404 first
      AdminApi.OPERATION_IDS.forEach(id -> all.put(id, ctx -> error(ctx, 404, ErrorCode.NOT_FOUND, "no such API route")));
    }
    if (personalData != null) {
      all.putAll(personalData.operations());
    } else {
      PersonalDataApi.OPERATION_IDS.forEach(id -> all.put(id, ctx -> error(ctx, 404, ErrorCode.NOT_FOUND, "no such API route")));
    }
    return all;
  }

  private Map<String, Handler<RoutingContext>> clientOperations(ApiContract api) {
    return Map.ofEntries(
      Map.entry("register", this::register),
      Map.entry("login", this::login),
      Map.entry("logout", this::logout),
      Map.entry("me", ctx -> json(ctx, 200, ChatFrames.me(me(ctx)))),
      Map.entry("searchUsers", this::users),
      Map.entry("openChat", this::openChat),
      Map.entry("listChats", ctx -> conversations.chatsOf(me(ctx))
        .onComplete(ar -> answer(ctx, ar.map(ChatFrames::chats), 200))),
      Map.entry("createGroup", this::createGroup),
      Map.entry("listGroups", ctx -> conversations.groupsOf(me(ctx))
        .onComplete(ar -> answer(ctx, ar.map(ChatFrames::groups), 200))),
      Map.entry("inbox", this::inbox),
      Map.entry("listBlocks", blocksApi::list),
      Map.entry("block", blocksApi::block),
      Map.entry("unblock", blocksApi::unblock),
      Map.entry("openapi", ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(api.document())));
  }

  /**
   * A router with the contract's operations under {@code /api} (body limit, bearer check, validation, then the
   * handler), an unknown {@code /api} route answered 404 after the bearer check, and every failure there in the
   * API's error format. Its paths are absolute: the caller mounts it at the root, and what it does not route
   * goes on to the caller's next routes.
   */
  public Router router(ApiContract api) {
    RouterBuilder builder = RouterBuilder.create(vertx, api.contract(), RestApi::jsonRequest)
      .rootHandler(BodyHandler.create().setBodyLimit(BODY_LIMIT));
    BearerAuth bearer = new BearerAuth(authenticator);
    builder.security(BEARER).httpHandler(bearer);
    builder.security(ADMIN_KEY).httpHandler(new AdminAuth(adminKeys, Metrics.of(vertx)));
    Map<String, Handler<RoutingContext>> handlers = operations(api);
    for (OpenAPIRoute route : builder.getRoutes()) {
      String operationId = route.getOperation().getOperationId();
      Handler<RoutingContext> handler = handlers.get(operationId);
      if (handler == null) {
        throw new IllegalStateException("no handler for operation " + operationId + " of " + ApiContract.RESOURCE);
      }
      route.addHandler(handler);
    }
    // vertx-openapi 5.0.7 reads a string query value as JSON and URL-decodes it a second time: q=1.5 or q=-1
    // (username prefixes) would be numbers, and q=%25 fails to decode. So q is checked here, by hand.
    builder.getRoute("searchUsers").setDoValidation(false);
    // the same for the inbox's cursor (an opaque string; limit is checked with it, by the handler)
    builder.getRoute("inbox").setDoValidation(false);
    Router router = builder.createRouter();
    // without keys the server-side API does not exist; with keys an unknown admin path is 404 after the key check
    router.route(ADMIN_PATHS).order(-1).handler(ctx -> {
      if (adminKeys.enabled() && adminApi != null) {
        ctx.next();
      } else {
        error(ctx, 404, ErrorCode.NOT_FOUND, "no such API route");
      }
    });
    router.route(ADMIN_PATHS).handler(new AdminAuth(adminKeys, Metrics.of(vertx)))
      .handler(ctx -> error(ctx, 404, ErrorCode.NOT_FOUND, "no such API route"));
    router.route("/api/*").handler(bearer).handler(ctx -> error(ctx, 404, ErrorCode.NOT_FOUND, "no such API route"));
    router.route("/api/*").failureHandler(ApiErrors::handle);
    return router;
  }

  /** The request as the validator reads it; a body without Content-Type is JSON, as the API always took it. */
  private static Future<ValidatableRequest> jsonRequest(RoutingContext ctx, Operation operation) {
    if (operation.getRequestBody() != null && ctx.request().getHeader(HttpHeaders.CONTENT_TYPE) == null) {
      ctx.request().headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    return RequestExtractor.withBodyHandler().extractValidatableRequest(ctx, operation);
  }

  // ---- operations -----------------------------------------------------------------------------------

  private void register(RoutingContext ctx) {
    if (!localLoginEnabled(ctx)) {
      return;
    }
    JsonObject body = body(ctx);
    String username = body.getString("username");
    String password = body.getString("password");
    if (!Names.isUsername(username)) {
      // the contract's pattern searches, so "name\n" passes it: the protocol's rule decides
      error(ctx, 400, ErrorCode.INVALID, ApiErrors.USERNAME_RULE);
      return;
    }
    vertx.executeBlocking(() -> hasher.hash(password), false)
      .compose(hash -> accounts.create(username, hash))
      .onComplete(ar -> {
        if (ar.failed()) {
          ApiErrors.unavailable(ctx, ar.cause());
        } else if (!ar.result()) {
          error(ctx, 409, ErrorCode.CONFLICT, "username is taken");
        } else {
          json(ctx, 201, tokenBody(username, authenticator.tokens().issue(username)));
        }
      });
  }

  /** The contract takes any object here: a malformed username or password gets the same 401 as a wrong one. */
  private void login(RoutingContext ctx) {
    if (!localLoginEnabled(ctx)) {
      return;
    }
    JsonObject body = body(ctx);
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
          ApiErrors.unavailable(ctx, ar.cause());
        } else if (!ar.result()) {
          error(ctx, 401, ErrorCode.AUTH_FAILED, "invalid username or password");
        } else {
          json(ctx, 200, tokenBody(username, authenticator.tokens().issue(username)));
        }
      });
  }

  private boolean localLoginEnabled(RoutingContext ctx) {
    if (!localLogin) {
      error(ctx, 403, ErrorCode.FORBIDDEN, "built-in accounts are turned off here (LOCAL_LOGIN=false): "
        + "sign in with the identity provider and use its token");
    }
    return localLogin;
  }

  private void logout(RoutingContext ctx) {
    Claims claims = BearerAuth.claims(ctx);
    accounts.revoke(claims.jti(), claims.username(), claims.expiresAt()).onComplete(ar -> {
      if (ar.failed()) {
        ApiErrors.unavailable(ctx, ar.cause());
        return;
      }
      Bus.TOKEN_REVOKED.publish(vertx.eventBus(), new TokenRevoked(claims.username(), claims.jti()));
      ctx.response().setStatusCode(204).end();
    });
  }

  private void users(RoutingContext ctx) {
    String prefix = ctx.request().getParam("q", "");
    if (prefix.length() > 32 || prefix.indexOf(0) >= 0) {
      error(ctx, 400, ErrorCode.INVALID, ApiErrors.Q_RULE);
      return;
    }
    String me = me(ctx);
    accounts.search(prefix, 50)
      .compose(names -> statuses(names).compose(statuses -> hideBlocked(me, statuses))
        .map(statuses -> ChatFrames.users(names, statuses)))
      .onComplete(ar -> answer(ctx, ar.map(u -> u), 200));
  }

  /** Users with a block either way with {@code me} show as offline, as presence shows them. */
  private Future<Map<String, String>> hideBlocked(String me, Map<String, String> statuses) {
    if (statuses.isEmpty()) {
      return Future.succeededFuture(statuses);
    }
    return blocks.counterparts(me).map(c -> {
      if (c.blocking().isEmpty() && c.blockedBy().isEmpty()) {
        return statuses;
      }
      Map<String, String> shown = new HashMap<>(statuses);
      for (List<String> others : List.of(c.blocking(), c.blockedBy())) {
        others.forEach(other -> shown.computeIfPresent(other, (k, v) -> "offline"));
      }
      return shown;
    });
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
    String me = me(ctx);
    String with = body(ctx).getString("with");
    if (!Names.isUsername(with) || with.equals(me)) {
      error(ctx, 400, ErrorCode.INVALID, ApiErrors.WITH_RULE);
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
    String name = body(ctx).getString("name").strip();
    if (!Names.isGroupName(name)) {
      error(ctx, 400, ErrorCode.INVALID, ApiErrors.GROUP_NAME_RULE);
      return;
    }
    String me = me(ctx);
    conversations.join(ConversationStore.newGroupId(), name, me).onComplete(ar -> answer(ctx, ar.map(joined ->
      ChatFrames.newGroup(joined.group().externalId(), name, me)), 201));
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private static String me(RoutingContext ctx) {
    return BearerAuth.claims(ctx).username();
  }

  private static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  /** The body the contract validated: a JSON object. */
  static JsonObject body(RoutingContext ctx) {
    return validated(ctx).getBody().getJsonObject();
  }

  private static JsonObject tokenBody(String username, IssuedToken token) {
    return ChatFrames.token(username, token.token(), token.expiresAt());
  }

  static void answer(RoutingContext ctx, AsyncResult<Object> ar, int status) {
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
      ApiErrors.unavailable(ctx, ar.cause());
    }
  }
}
