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
 * string literals and other constants, so user input can only ever be a bound parameter. Checked on the
 * source text of every product module (the bench seeds its data with its own SQL and is left out), by rules
 * that name no class, field or line, so that renames and new stores are covered as they come.
 */
class SqlHygieneTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final Pattern PREPARED = Pattern.compile("preparedQuery\\(\\s*([^)]*?)\\s*\\)");
  private static final Pattern CONSTANT = Pattern.compile(
    "static final String ([A-Z][A-Z0-9_]*)\\s*=\\s*(.*?);", Pattern.DOTALL);
  /** A text block, or a one-line string literal. */
  private static final Pattern LITERAL = Pattern.compile("\"\"\"[\\s\\S]*?\"\"\"|\"(\\\\.|[^\"\\\\\\n])*\"");
  private static final Pattern SQL = Pattern.compile(
    "\"\\s*(SELECT|INSERT|UPDATE|DELETE|WITH|FROM|WHERE|VALUES|RETURNING|ORDER BY|ON CONFLICT)\\s");
  private static final String CONSTANT_NAME = "[A-Z][A-Z0-9_]*";

  private static List<Path> productSources() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
        if (module.getFileName().toString().equals("bench")) {
          continue;
        }
        try (Stream<Path> walk = Files.walk(module.resolve("src/main/java"))) {
          walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
        }
      }
    }
    return files;
  }

  @Test
  void everyStatementIsAPreparedConstant() throws IOException {
    List<String> problems = new ArrayList<>();
    int statements = 0;
    int constants = 0;
    for (Path file : productSources()) {
      String src = Files.readString(file);
      String name = file.getFileName().toString();
      if (src.contains(".query(")) {
        problems.add(name + ": a simple (unprepared) query");
      }
      Matcher m = PREPARED.matcher(src);
      while (m.find()) {
        statements++;
        String arg = m.group(1);
        if (!arg.matches(CONSTANT_NAME) && !isChosenConstant(src, arg)) {
          problems.add(name + ": preparedQuery(" + arg + ")");
        }
      }
      List<int[]> constantSpans = new ArrayList<>();
      Matcher c = CONSTANT.matcher(src);
      while (c.find()) {
        if (!SQL.matcher(c.group(2)).find()) {
          continue; // not SQL
        }
        constants++;
        constantSpans.add(new int[] {c.start(2), c.end(2)});
        String withoutLiterals = LITERAL.matcher(c.group(2)).replaceAll("").replaceAll("[\\s+]", "");
        if (!withoutLiterals.matches("(" + CONSTANT_NAME + ")*")) {
          problems.add(name + ": constant " + c.group(1) + " is built from " + withoutLiterals);
        }
      }
      Matcher sql = SQL.matcher(src);
      while (sql.find()) {
        int at = sql.start();
        if (constantSpans.stream().noneMatch(span -> span[0] <= at && at < span[1])) {
          int line = (int) src.substring(0, at).chars().filter(ch -> ch == '\n').count() + 1;
          problems.add(name + ":" + line + ": SQL text outside a static final String constant");
        }
      }
    }
    assertTrue(statements > 20, "found " + statements + " statements");
    assertTrue(constants > 20, "found " + constants + " SQL constants");
    assertEquals(List.of(), problems);
  }

  /**
   * A local variable that holds one of several constants: every assignment to it is made only of constant
   * names, conditions and {@code ?:} (no literal, no concatenation).
   */
  private static boolean isChosenConstant(String src, String variable) {
    if (!variable.matches("[a-z][A-Za-z0-9]*")) {
      return false;
    }
    Matcher assignment = Pattern.compile("\\b" + variable + "\\s*=\\s*([^;=][^;]*);").matcher(src);
    boolean any = false;
    while (assignment.find()) {
      any = true;
      String expr = assignment.group(1);
      if (expr.contains("\"") || expr.contains("+") || !expr.matches("[\\sA-Za-z0-9_?:=!()]*")) {
        return false;
      }
      if (!Pattern.compile("\\b" + CONSTANT_NAME + "\\b").matcher(expr).find()) {
        return false;
      }
    }
    return any;
  }
}
