package io.chatpresence.protocol;

import java.util.regex.Pattern;

/** The shapes of usernames and of chat and group ids. */
public final class Names {
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");
  private static final Pattern CONVERSATION_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  private Names() {
  }

  public static boolean isUsername(String s) {
    return s != null && USERNAME.matcher(s).matches();
  }

  public static boolean isConversationId(String s) {
    return s != null && CONVERSATION_ID.matcher(s).matches();
  }

  /**
   * A group name: 1 to 100 characters, not only white space, without NUL (PostgreSQL text cannot hold it).
   * The REST API checks it on the name stripped of surrounding white space, which is what it stores.
   */
  public static boolean isGroupName(String s) {
    return s != null && !s.isBlank() && s.length() <= MAX_GROUP_NAME && s.indexOf(0) < 0;
  }

  public static final int MAX_GROUP_NAME = 100;
  public static final String GROUP_NAME_RULE = "1 to 100 characters, without NUL";
  public static final String USERNAME_RULE = "3 to 32 of A-Z a-z 0-9 _ . -";
  public static final String ID_RULE = "1 to 64 of A-Z a-z 0-9 _ . : -";
}
