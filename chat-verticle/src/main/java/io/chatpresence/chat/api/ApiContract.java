package io.chatpresence.chat.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * The OpenAPI 3 document of the REST API ({@code api/openapi.json} on the classpath): served as it is, and the
 * contract the /api routes, their validation and their security are built from. The document also describes
 * {@code /health}, {@code /ready} and {@code /metrics}, which both servers mount themselves (HttpSupport); the
 * contract keeps only the paths under {@code /api/}, so that the router builder does not answer those.
 */
public record ApiContract(Buffer document, OpenAPIContract contract) {
  public static final String PATH = "/api/openapi.json";
  public static final String RESOURCE = "api/openapi.json";
  private static final String API_PREFIX = "/api/";

  public static Future<ApiContract> load(Vertx vertx) {
    return vertx.fileSystem().readFile(RESOURCE).compose(document -> {
      JsonObject api = document.toJsonObject();
      api.getJsonObject("paths").fieldNames().removeIf(path -> !path.startsWith(API_PREFIX));
      return OpenAPIContract.from(vertx, api).map(contract -> new ApiContract(document, contract));
    });
  }
}
