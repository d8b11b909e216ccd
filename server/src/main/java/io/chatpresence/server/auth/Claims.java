package io.chatpresence.server.auth;

import java.time.Instant;

/**
 * What a verified token says: whose it is, its id (for revocation), when it ends, and who issued it: null for our
 * own tokens (HS256), the identity provider's issuer for its tokens; and when it was issued ({@code iat}, null when
 * the token has none), against a revocation of all the user's tokens.
 */
public record Claims(String username, String jti, Instant expiresAt, String issuer, Instant issuedAt) {
  public Claims(String username, String jti, Instant expiresAt) {
    this(username, jti, expiresAt, null, null);
  }

  public boolean fromProvider() {
    return issuer != null;
  }
}
