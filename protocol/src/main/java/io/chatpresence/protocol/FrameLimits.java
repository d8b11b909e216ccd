package io.chatpresence.protocol;

/** What a frame may be: its size in UTF-8 bytes, its JSON nesting and its {@code content} length. */
public record FrameLimits(int maxFrameBytes, int maxContentChars, int maxJsonDepth) {

  /** The contract's sizes: frames up to 64 KiB, {@code content} up to 4,000 characters. */
  public static final FrameLimits DEFAULTS = new FrameLimits(64 * 1024, 4_000, 16);

  /** Frames over this are closed by the WebSocket layer with 1009; between the two they get TOO_LARGE. */
  public static final int HARD_FRAME_BYTES = 1024 * 1024;
}
