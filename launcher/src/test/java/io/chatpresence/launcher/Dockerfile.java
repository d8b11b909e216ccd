package io.chatpresence.launcher;

import io.vertx.core.json.JsonArray;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Dockerfile read as Docker reads it: stages of instructions; and .dockerignore. No Docker engine needed. */
final class Dockerfile {
  record Instruction(String keyword, String args) {
    /** The exec form ({@code ["a", "b"]}) as a list. */
    List<String> execForm() {
      List<String> out = new ArrayList<>();
      new JsonArray(args).forEach(o -> out.add((String) o));
      return out;
    }

    /** Space-separated words, flags ({@code --from=build}) included. */
    List<String> words() {
      return List.of(args.trim().split("\\s+"));
    }
  }

  record Stage(String from, String name, List<Instruction> instructions) {
    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    Instruction last(String keyword) {
      List<Instruction> found = all(keyword);
      return found.isEmpty() ? null : found.get(found.size() - 1);
    }

    /** ENV instructions as a map ({@code ENV A=1 B=2}). */
    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      for (Instruction i : all("ENV")) {
        for (String pair : i.words()) {
          int eq = pair.indexOf('=');
          env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
      return env;
    }
  }

  final List<Stage> stages = new ArrayList<>();
  private final List<String> ignore = new ArrayList<>();

  Dockerfile(Path root) throws IOException {
    StringBuilder logical = new StringBuilder();
    for (String line : Files.readAllLines(root.resolve("Dockerfile"))) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      logical.append(trimmed);
      add(logical.toString().strip());
      logical.setLength(0);
    }
    Path dockerignore = root.resolve(".dockerignore");
    if (Files.exists(dockerignore)) {
      for (String line : Files.readAllLines(dockerignore)) {
        if (!line.isBlank() && !line.strip().startsWith("#")) {
          ignore.add(line.strip());
        }
      }
    }
  }

  private void add(String line) {
    if (line.isEmpty()) {
      return;
    }
    int space = line.indexOf(' ');
    String keyword = line.substring(0, space).toUpperCase();
    String args = line.substring(space + 1).strip();
    if (keyword.equals("FROM")) {
      String[] words = args.split("\\s+");
      stages.add(new Stage(words[0], words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null, new ArrayList<>()));
    } else {
      stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, args));
    }
  }

  Stage stage(String name) {
    return stages.stream().filter(s -> name.equals(s.name())).findFirst().orElseThrow();
  }

  Stage runtime() {
    return stages.get(stages.size() - 1);
  }

  /** Whether the build context leaves this path (relative to the root) out, per .dockerignore. */
  boolean ignored(Path relative) {
    for (Path p = relative; p != null; p = p.getParent()) {
      for (String pattern : ignore) {
        String glob = pattern.endsWith("/") ? pattern.substring(0, pattern.length() - 1) : pattern;
        if (matches(glob, p) || (glob.startsWith("**/") && matches(glob.substring(3), p))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean matches(String glob, Path p) {
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    return m.matches(p);
  }
}
