package io.chatpresence.protocol;

/** A refusal that becomes an ERROR frame (or a REST error) with a code and a human message. */
public class ProtocolException extends RuntimeException {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.INVALID, message);
  }

  public static ProtocolException forbidden(String message) {
    return new ProtocolException(ErrorCode.FORBIDDEN, message);
  }

  public static ProtocolException notFound(String message) {
    return new ProtocolException(ErrorCode.NOT_FOUND, message);
  }
}
