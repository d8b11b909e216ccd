package io.chatpresence.chat.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminKeysTest {
  private static final String K0 = "first-key-0123456789";
  private static final String K1 = "second-key-0123456789";

  @Test
  void aKeyIsKnownByItsIndex() {
    AdminKeys keys = new AdminKeys(K0 + ", " + K1 + "\n");
    assertTrue(keys.enabled());
    assertEquals(0, keys.match(K0));
    assertEquals(1, keys.match(K1));
    assertEquals(AdminKeys.NONE, keys.match(K0 + "x"));
    assertEquals(AdminKeys.NONE, keys.match(K0.substring(1)));
    assertEquals(AdminKeys.NONE, keys.match(""));
    assertEquals(AdminKeys.NONE, keys.match(null));
  }

  @Test
  void noKeysMeansDisabledAndShortKeysAreRefused() {
    assertFalse(new AdminKeys(null).enabled());
    assertFalse(new AdminKeys(" , \n").enabled());
    assertEquals(AdminKeys.NONE, new AdminKeys(null).match(K0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdminKeys(K0 + ",tiny-k3y"));
    assertTrue(e.getMessage().contains("key #1") && !e.getMessage().contains("tiny-k3y"), e.getMessage());
  }
}
