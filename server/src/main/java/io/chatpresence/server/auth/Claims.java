package io.chatpresence.server.auth;

import java.time.Instant;

/** What a verified token says: whose it is, its id (for revocation) and when it ends. */
public record Claims(String username, String jti, Instant expiresAt) {
}
