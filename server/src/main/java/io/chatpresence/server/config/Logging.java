package io.chatpresence.server.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
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
    String format = config.getString(ConfigKeys.LOG_FORMAT, "text");
    if (!root.iteratorForAppenders().hasNext()) {
      // logback.xml found no appender of that name: text, and say so
      root.addAppender(console(context, "text", null));
      LoggerFactory.getLogger(Logging.class).warn("LOG_FORMAT={} is neither text nor json: logging text", format);
    }
    if (JSON.equalsIgnoreCase(format) && root.getAppender(JSON_APPENDER) == null) {
      JsonEncoder encoder = new JsonEncoder();
      encoder.setWithFormattedMessage(true);
      encoder.setWithMessage(false);
      encoder.setWithArguments(false);
      encoder.setWithContext(false);
      encoder.setWithSequenceNumber(false);
      encoder.setWithNanoseconds(false);
      encoder.setContext(context);
      encoder.start();
      ConsoleAppender<ILoggingEvent> json = console(context, JSON_APPENDER, encoder);
      root.addAppender(json);
      root.iteratorForAppenders().forEachRemaining(a -> {
        if (a != json && a instanceof ConsoleAppender) {
          root.detachAppender(a);
          a.stop();
        }
      });
    }
  }

  private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, Encoder<ILoggingEvent> encoder) {
    Encoder<ILoggingEvent> e = encoder;
    if (e == null) {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n");
      text.setContext(context);
      text.start();
      e = text;
    }
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setName(name);
    appender.setContext(context);
    appender.setEncoder(e);
    appender.start();
    return appender;
  }
}
