package io.chatpresence.chat.api;

import io.chatpresence.chat.store.BlockStore;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Names;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.protocol.bus.BlocksChanged;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.ContactsChanged;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

import static io.chatpresence.server.web.HttpSupport.error;

/**
 * Blocking (contract "Blocking"): {@code POST /api/blocks}, {@code DELETE /api/blocks/{username}},
 * {@code GET /api/blocks}. A change is committed first, then told cluster-wide: {@link BlocksChanged} to every chat
 * instance (typing and receipts) and {@link ContactsChanged} to presence, which recomputes whether the two are
 * contacts and shows each other offline (or online again) at once. Sends between the two need neither: the
 * message insert reads the table.
 */
final class BlocksApi {
  static final String SELF_RULE = "you cannot block yourself";

  private final Vertx vertx;
  private final BlockStore store;

  BlocksApi(Vertx vertx, BlockStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  void list(RoutingContext ctx) {
    store.list(me(ctx)).onComplete(ar -> RestApi.answer(ctx, ar.map(blocks -> blocks), 200));
  }

  /** 204 also for a repeat: the first block (and its {@code since}) stays, nothing is told again. */
  void block(RoutingContext ctx) {
    String me = me(ctx);
    String username = RestApi.body(ctx).getString("username");
    if (!valid(ctx, me, username)) {
      return;
    }
    store.block(me, username).compose(result -> {
      if (!result.found()) {
        return Future.failedFuture(ProtocolException.notFound("no user " + username));
      }
      if (result.added()) {
        changed(me, username, true);
      }
      return Future.succeededFuture();
    }).onComplete(ar -> noContent(ctx, ar));
  }

  /** 204 whether or not a block was there: unblocking is idempotent. */
  void unblock(RoutingContext ctx) {
    String me = me(ctx);
    String username = ctx.pathParam("username");
    if (!valid(ctx, me, username)) {
      return;
    }
    store.unblock(me, username).<Object>map(removed -> {
      if (removed) {
        changed(me, username, false);
      }
      return null;
    }).onComplete(ar -> noContent(ctx, ar));
  }

  /** Tells every chat instance and presence, once committed. */
  private void changed(String blocker, String blocked, boolean blocking) {
    EventBus bus = vertx.eventBus();
    Bus.BLOCKS_CHANGED.publish(bus, new BlocksChanged(blocker, blocked, blocking));
    Bus.CONTACTS_CHANGED.publish(bus, new ContactsChanged(blocker, List.of(blocked)));
  }

  private static boolean valid(RoutingContext ctx, String me, String username) {
    if (!Names.isUsername(username)) {
      error(ctx, 400, ErrorCode.INVALID, ApiErrors.USERNAME_RULE);
      return false;
    }
    if (username.equals(me)) {
      error(ctx, 400, ErrorCode.INVALID, SELF_RULE);
      return false;
    }
    return true;
  }

  private static String me(RoutingContext ctx) {
    return BearerAuth.claims(ctx).username();
  }

  private static void noContent(RoutingContext ctx, AsyncResult<?> ar) {
    if (ar.succeeded()) {
      ctx.response().setStatusCode(204).end();
    } else {
      RestApi.answer(ctx, ar.map(v -> (Object) v), 204);
    }
  }
}
