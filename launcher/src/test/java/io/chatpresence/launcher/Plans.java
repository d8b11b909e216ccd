package io.chatpresence.launcher;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.lang.reflect.Field;

import static io.chatpresence.launcher.TestServer.await;

/** What the plan tests share: a store's own SQL constant, and PostgreSQL's plan of a statement as text. */
final class Plans {
  private Plans() {
  }

  /** The SQL of a store's {@code static final String} constant, as the product runs it. */
  static String statement(Class<?> store, String name) {
    try {
      Field f = store.getDeclaredField(name);
      f.setAccessible(true);
      return (String) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(store.getSimpleName() + "." + name, e);
    }
  }

  /** EXPLAIN of {@code sql} with {@code args} (without ANALYZE: nothing is run, so writes write nothing). */
  static String explain(Pool pool, String sql, Tuple args) {
    return lines(pool, "EXPLAIN " + sql, args);
  }

  /** EXPLAIN (ANALYZE, BUFFERS): the statement runs; for reads. */
  static String explainAnalyze(Pool pool, String sql, Tuple args) {
    return lines(pool, "EXPLAIN (ANALYZE, BUFFERS) " + sql, args);
  }

  private static String lines(Pool pool, String sql, Tuple args) {
    StringBuilder plan = new StringBuilder();
    for (Row row : await(pool.preparedQuery(sql).execute(args))) {
      plan.append(row.getString(0)).append('\n');
    }
    return plan.toString();
  }
}
