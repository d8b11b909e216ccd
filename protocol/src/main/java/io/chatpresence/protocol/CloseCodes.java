package io.chatpresence.protocol;

/** WebSocket close codes the servers use. */
public final class CloseCodes {
  private CloseCodes() {
  }

  public static final short NORMAL = 1000;
  public static final short GOING_AWAY = 1001;
  public static final short POLICY = 1008;
  public static final short TRY_AGAIN_LATER = 1013;
  public static final short AUTH_FAILED = 4401;
  public static final short AUTH_TIMEOUT = 4408;
  public static final short TOO_MANY_SOCKETS = 4429;
}
