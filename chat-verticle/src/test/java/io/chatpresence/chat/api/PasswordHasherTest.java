package io.chatpresence.chat.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHasherTest {

  @Test
  void defaultWorkFactorIsStoredWithASaltedHash() {
    PasswordHasher hasher = new PasswordHasher(210_000);
    String stored = hasher.hash("correct-horse");
    assertTrue(stored.startsWith("pbkdf2-sha512$210000$"), stored);
    assertNotEquals(stored, hasher.hash("correct-horse"), "salted");
    assertTrue(hasher.verify("correct-horse", stored));
    assertFalse(hasher.verify("wrong-horse", stored));
  }

  @Test
  void storedIterationsAreUsedAndUnknownUsersNeverVerify() {
    String weak = new PasswordHasher(1_000).hash("pw-12345678");
    PasswordHasher strong = new PasswordHasher(2_000);
    assertTrue(strong.verify("pw-12345678", weak));
    assertFalse(strong.verify("decoy-password-for-unknown-users", null));
    assertFalse(strong.verify("x", "garbage"));
  }
}
