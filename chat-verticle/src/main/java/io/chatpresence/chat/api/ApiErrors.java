package io.chatpresence.chat.api;

import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Names;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.chatpresence.server.web.HttpSupport.error;

/**
 * Turns what fails on an /api route (contract validation, the bearer check, the body limit, a storage error)
 * into the API's error body {@code {"error": CODE, "message": text}}. A request the contract refuses gets the
 * message of the field it failed on, the same words the handlers used when they checked by hand.
 */
final class ApiErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
  static final String NOT_A_JSON_OBJECT = "body must be a JSON object";
  /** By the name of the body property or query parameter that failed validation. */
  static final String USERNAME_RULE = "username must be " + Names.USERNAME_RULE;
  static final String WITH_RULE = "'with' must be another user's username";
  static final String GROUP_NAME_RULE = "name must be " + Names.GROUP_NAME_RULE;
  static final String Q_RULE = "q is at most 32 characters, without NUL";
  private static final Map<String, String> FIELD_RULES = Map.of(
    "username", USERNAME_RULE,
    "password", "password must be 8 to 128 characters",
    "with", WITH_RULE,
    "name", GROUP_NAME_RULE,
    "q", Q_RULE);
  private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]+)\"");
  private static final Pattern PARAMETER = Pattern.compile("parameter (\\S+) ");

  private ApiErrors() {
  }

  static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = failure instanceof HttpException he ? he.getStatusCode() : ctx.statusCode();
    switch (status) {
      case 400 -> error(ctx, 400, ErrorCode.INVALID, invalid(failure));
      case 401 -> error(ctx, 401, ErrorCode.AUTH_FAILED,
        failure instanceof HttpException he && he.getPayload() != null ? he.getPayload() : "authentication failed");
      case 413 -> error(ctx, 413, ErrorCode.TOO_LARGE, "body over the size limit");
      case 503 -> unavailable(ctx, failure.getCause());
      default -> {
        LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
        error(ctx, status > 0 ? status : 500, ErrorCode.INTERNAL, "internal error");
      }
    }
  }

  static void unavailable(RoutingContext ctx, Throwable cause) {
    LOG.warn("{} {} failed: {}", ctx.request().method(), ctx.request().path(), String.valueOf(cause));
    error(ctx, 503, ErrorCode.UNAVAILABLE, "storage unavailable, try again");
  }

  /** The rule of the field that failed, or: the body is not a JSON object (unreadable, absent, not an object). */
  private static String invalid(Throwable failure) {
    Throwable cause = failure == null ? null : failure.getCause();
    if (cause instanceof ValidatorException ve) {
      String field = field(ve);
      if (field != null && FIELD_RULES.containsKey(field)) {
        return FIELD_RULES.get(field);
      }
    }
    return NOT_A_JSON_OBJECT;
  }

  private static String field(ValidatorException e) {
    Matcher parameter = PARAMETER.matcher(String.valueOf(e.getMessage()));
    if (parameter.find()) {
      return parameter.group(1);
    }
    if (!(e instanceof SchemaValidationException sve) || sve.getOutputUnit() == null) {
      return null;
    }
    List<OutputUnit> errors = sve.getOutputUnit().getErrors();
    OutputUnit last = errors == null || errors.isEmpty() ? sve.getOutputUnit() : errors.get(errors.size() - 1);
    String location = last.getInstanceLocation() == null ? "" : last.getInstanceLocation().replaceFirst("^#?/?", "");
    if (!location.isEmpty()) {
      return location.split("/")[0];
    }
    Matcher required = REQUIRED.matcher(String.valueOf(last.getError()));
    return required.find() ? required.group(1) : null;
  }
}
