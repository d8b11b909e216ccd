package io.chatpresence.server.auth;

import java.time.Instant;

public record IssuedToken(String token, String jti, Instant expiresAt) {
}
