package io.chatpresence.protocol;

/** Machine-readable {@code code} of ERROR frames and REST errors. */
public enum ErrorCode {
  /** Missing, bad, expired or revoked token; or a frame other than AUTH first. */
  AUTH_FAILED,
  /** The frame is not a JSON object. */
  BAD_JSON,
  /** The frame's {@code type} is not one this server knows. */
  UNKNOWN_TYPE,
  /** A field is missing, of the wrong type, or out of range. */
  INVALID,
  /** The frame is over the frame size limit (64 KiB by default). */
  TOO_LARGE,
  /** Over the per-socket frame rate. */
  RATE_LIMITED,
  /** Over the number of authenticated sockets per user. */
  TOO_MANY_SOCKETS,
  /** The action names someone else, or a chat or group the user is not part of. */
  FORBIDDEN,
  /** The user, chat or group does not exist. */
  NOT_FOUND,
  /** The username is taken (REST register). */
  CONFLICT,
  /** A dependency (the database) is unavailable; nothing was done. */
  UNAVAILABLE,
  /** An unexpected server error; nothing acknowledged was lost. */
  INTERNAL
}
