package io.chatpresence.common.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log settings of the config. {@code LOG_FORMAT} and {@code LOG_LEVEL} in the environment are read by
 * logback.xml itself from the first line; set in a conf file, they take effect when a verticle loads its config:
 * {@code json} swaps the console appender for one with logback's JsonEncoder (one JSON object per line).
 */
public final class Logging {
  public static final String JSON = "json";
  private static final String JSON_APPENDER = "json";

  private Logging() {
  }

  public static synchronized void apply(JsonObject config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    String level = config.getString(ConfigKeys.LOG_LEVEL);
    if (level != null && !level.isBlank()) {
      root.setLevel(Level.toLevel(level.strip(), root.getLevel()));
    }
    if (JSON.equalsIgnoreCase(config.getString(ConfigKeys.LOG_FORMAT, "text")) && root.getAppender(JSON_APPENDER) == null) {
      JsonEncoder encoder = new JsonEncoder();
      encoder.setContext(context);
      encoder.start();
      ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
      json.setName(JSON_APPENDER);
      json.setContext(context);
      json.setEncoder(encoder);
      json.start();
      root.addAppender(json);
      root.iteratorForAppenders().forEachRemaining(a -> {
        if (a != json && a instanceof ConsoleAppender) {
          root.detachAppender(a);
          a.stop();
        }
      });
    }
  }
}
