package io.chatpresence.chat.socket;

import io.chatpresence.chat.SyncFrames;
import io.chatpresence.chat.store.SyncStore;
import io.chatpresence.chat.store.SyncTokens;
import io.chatpresence.chat.store.SyncWatermark;
import io.chatpresence.protocol.Features;
import io.chatpresence.protocol.Frame;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.Future;

import java.util.List;

/**
 * The {@code sync} extension: {@code SYNC {since?, limit?}}, answered with the events after {@code since} up to
 * the watermark W ({@link SyncWatermark}), never past it: no {@code since}, no events and a token of W; W at or
 * before {@code since}, no events and {@code since} again.
 */
final class SyncHandler {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1_000;

  private final SyncStore store;
  private final SyncWatermark watermark;
  private final SyncTokens tokens;
  private final int contactGroupMax;

  SyncHandler(SyncStore store, SyncWatermark watermark, SyncTokens tokens, int contactGroupMax) {
    this.store = store;
    this.watermark = watermark;
    this.tokens = tokens;
    this.contactGroupMax = contactGroupMax;
  }

  Future<Void> sync(SocketSession session, Frame f) {
    int limit = f.optionalInt("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
    String sinceToken = f.optionalString("since");
    Long since = sinceToken == null ? null : tokens.parse("since", sinceToken);
    long w = watermark.current();
    if (w < 0) {
      return Future.failedFuture(new IllegalStateException("no SYNC watermark yet"));
    }
    boolean edit = session.has(Features.EDIT);
    if (since == null || w <= since) {
      long next = since == null ? w : since;
      session.send(SyncFrames.page(List.of(), edit, tokens.encode(next), false, f.clientMsgId()));
      return Future.succeededFuture();
    }
    SyncStore.Wants wants = new SyncStore.Wants(edit, session.has(Features.READ), contactGroupMax);
    return store.page(session.username(), since, w, limit, wants).map(page -> {
      session.send(SyncFrames.page(page.events(), edit, tokens.encode(page.next()), page.hasMore(), f.clientMsgId()));
      return null;
    });
  }
}
