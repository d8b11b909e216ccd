package io.chatpresence.chat.api;

import io.vertx.ext.web.handler.JWTAuthHandler;

import java.util.List;

/**
 * The OpenAPI router takes an http bearer scheme's handler as a {@link JWTAuthHandler}; our schemes (user
 * tokens, admin keys) declare no scopes, so the scope settings change nothing.
 */
abstract class ScopelessBearerHandler implements JWTAuthHandler {
  @Override
  public JWTAuthHandler scopeDelimiter(String delimiter) {
    return this;
  }

  @Override
  public JWTAuthHandler withScope(String scope) {
    return this;
  }

  @Override
  public JWTAuthHandler withScopes(List<String> scopes) {
    return this;
  }
}
