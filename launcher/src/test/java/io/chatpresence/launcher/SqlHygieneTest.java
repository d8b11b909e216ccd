package io.chatpresence.launcher;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SQL only through prepared statements, and no SQL built at run time: every statement is a constant made of
 * string literals and other constants, so user input can only ever be a bound parameter.
 */
class SqlHygieneTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final Pattern PREPARED = Pattern.compile("preparedQuery\\(\\s*([^)]*?)\\s*\\)");
  private static final Pattern CONSTANT = Pattern.compile(
    "static final String ([A-Z_]+)\\s*=\\s*(.*?);", Pattern.DOTALL);

  private static List<Path> mainSources() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String module : new String[] {"protocol", "server", "chat-verticle", "presence-verticle", "launcher"}) {
      try (Stream<Path> walk = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
        walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
      }
    }
    return files;
  }

  @Test
  void everyStatementIsAPreparedConstant() throws IOException {
    List<String> problems = new ArrayList<>();
    int statements = 0;
    for (Path file : mainSources()) {
      String src = Files.readString(file);
      if (src.contains(".query(")) {
        problems.add(file.getFileName() + ": a simple (unprepared) query");
      }
      Matcher m = PREPARED.matcher(src);
      while (m.find()) {
        statements++;
        String arg = m.group(1);
        boolean constant = arg.matches("[A-Z_]+");
        boolean chosenConstant = arg.equals("sql") && src.contains("String sql = seq == null ? HISTORY_NEWEST");
        if (!constant && !chosenConstant) {
          problems.add(file.getFileName() + ": preparedQuery(" + arg + ")");
        }
      }
      Matcher c = CONSTANT.matcher(src);
      while (c.find()) {
        if (!c.group(2).matches("(?s).*\\b(SELECT|INSERT|UPDATE|DELETE|WITH)\\b.*")) {
          continue; // not SQL
        }
        String withoutLiterals = c.group(2).replaceAll("\"(\\\\.|[^\"\\\\])*\"", "").replaceAll("[\\s+]", "");
        if (!withoutLiterals.matches("([A-Z_]+)*")) {
          problems.add(file.getFileName() + ": constant " + c.group(1) + " is built from " + withoutLiterals);
        }
      }
    }
    assertTrue(statements > 20, "found " + statements + " statements");
    assertEquals(List.of(), problems);
  }
}
