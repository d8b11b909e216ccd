package io.chatpresence.chat.socket;

import io.chatpresence.chat.store.ConversationStore.Members;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The member list cache against a scripted database: reads are promises the test completes. */
class MemberCacheTest {
  private final List<Long> reads = new ArrayList<>();
  private final List<Promise<Members>> pending = new ArrayList<>();

  private Future<Members> read(long conversationId) {
    reads.add(conversationId);
    Promise<Members> p = Promise.promise();
    pending.add(p);
    return p.future();
  }

  private static Members at(long version, String... names) {
    return new Members(version, List.of(names));
  }

  @Test
  void aListIsReadOncePerVersionAndAgainWhenTheVersionMoves() {
    MemberCache cache = new MemberCache(this::read, 1_000);
    Future<List<String>> first = cache.members(7, 3);
    Future<List<String>> concurrent = cache.members(7, 3);
    assertSame(first, concurrent, "a miss in flight is shared");
    assertEquals(List.of(7L), reads);
    pending.get(0).complete(at(3, "a", "b"));
    assertEquals(List.of("a", "b"), cache.members(7, 3).result());
    assertEquals(List.of("a", "b"), cache.members(7, 2).result(), "a reader that saw an older version gets the newer list");
    assertEquals(1, reads.size());

    // a join elsewhere: the next sender sees version 4, which the cached list is not known to include
    Future<List<String>> afterJoin = cache.members(7, 4);
    assertEquals(2, reads.size());
    pending.get(1).complete(at(4, "a", "b", "c"));
    assertEquals(List.of("a", "b", "c"), afterJoin.result());
    assertEquals(3, cache.cachedNames());
  }

  @Test
  void aReadStartedBeforeAChangeIsNotUsedForTheNewVersion() {
    MemberCache cache = new MemberCache(this::read, 1_000);
    Future<List<String>> old = cache.members(7, 3);
    Future<List<String>> newer = cache.members(7, 4);
    assertEquals(2, reads.size(), "version 4 was seen after the first read started: it needs its own");
    pending.get(1).complete(at(4, "a", "c"));
    pending.get(0).complete(at(3, "a", "b"));
    assertEquals(List.of("a", "b"), old.result());
    assertEquals(List.of("a", "c"), newer.result());
    assertEquals(List.of("a", "c"), cache.members(7, 4).result(), "the late older read does not replace it");
    assertEquals(2, cache.cachedNames());
  }

  @Test
  void aRefreshAfterMyOwnJoinOrLeaveReplacesTheList() {
    MemberCache cache = new MemberCache(this::read, 1_000);
    cache.members(7, 1);
    pending.get(0).complete(at(1, "a"));
    Future<List<String>> refreshed = cache.refresh(7, 2);
    pending.get(1).complete(at(2, "a", "b"));
    assertEquals(List.of("a", "b"), refreshed.result());
    assertSame(refreshed, cache.members(7, 2));
    assertEquals(2, cache.cachedNames());
  }

  @Test
  void aFailedReadIsNotKept() {
    MemberCache cache = new MemberCache(this::read, 1_000);
    Future<List<String>> failing = cache.members(7, 1);
    pending.get(0).fail("database down");
    assertTrue(failing.failed());
    assertEquals(0, cache.groups());
    cache.members(7, 1);
    assertEquals(2, reads.size(), "read again");
  }

  @Test
  void theTotalNumberOfNamesIsBoundedLeastRecentlyUsedFirst() {
    MemberCache cache = new MemberCache(this::read, 10);
    String[] four = IntStream.range(0, 4).mapToObj(i -> "u" + i).toArray(String[]::new);
    for (long group = 1; group <= 2; group++) {
      cache.members(group, 1);
    }
    pending.get(0).complete(at(1, four));
    pending.get(1).complete(at(1, four));
    cache.members(1, 1); // group 1 is now the most recently used
    cache.members(3, 1);
    pending.get(2).complete(at(1, four));
    assertEquals(8, cache.cachedNames());
    assertEquals(2, cache.groups());
    cache.members(1, 1);
    cache.members(3, 1);
    assertEquals(3, reads.size(), "groups 1 and 3 kept");
    cache.members(2, 1);
    assertEquals(4, reads.size(), "group 2 was evicted");

    // a group larger than the bound is read every time
    MemberCache small = new MemberCache(this::read, 3);
    small.members(9, 1);
    pending.get(4).complete(at(1, four));
    assertEquals(0, small.cachedNames());
    small.members(9, 1);
    assertEquals(6, reads.size());
  }
}
