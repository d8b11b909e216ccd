package io.chatpresence.server.web;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Puts a flush off to a task queued behind the current one, so that the frames written to a socket in one event-loop
 * task go out in one write. Flushes at once when a read completes (the answers Vert.x wrote during the read go out
 * then, as they did without this handler), when the channel turns unwritable (unflushed bytes count against the
 * write queue's limit, which the slow-consumer drop watches: a burst to a client that reads must not look like a
 * client that does not), and before a close.
 * <p>
 * Not Netty's {@code FlushConsolidationHandler} (4.2.9): with it {@code LiveFuzzTest} hung, its client waiting for
 * answers written but never flushed. Its task does nothing when it runs while the handler believes a read is in
 * progress, and stays recorded as queued, so no flush outside a read is queued again until a read ends with one
 * pending, which a client waiting for its answers never sends. Here the task always flushes what is pending.
 */
final class FlushAtTaskEnd extends ChannelDuplexHandler {
  private ChannelHandlerContext ctx;
  private boolean pending;
  private boolean queued;
  private final Runnable task = () -> {
    queued = false;
    flushPending();
  };

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    pending = true;
    if (!queued) {
      queued = true;
      ctx.executor().execute(task);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.fireChannelReadComplete(); // Vert.x asks for its read-end flush in here: done at once, as without this handler
    flushPending();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      flushPending();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    flushPending();
    ctx.close(promise);
  }

  @Override
  public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
    flushPending();
    ctx.disconnect(promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    flushPending();
  }

  private void flushPending() {
    if (pending) {
      pending = false;
      ctx.flush();
    }
  }
}
