-- Accounts and revoked tokens.
CREATE TABLE users (
  username      text PRIMARY KEY,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
-- Prefix search (GET /api/users?q=) by index.
CREATE INDEX users_username_prefix ON users (username text_pattern_ops);

CREATE TABLE revoked_tokens (
  jti        text PRIMARY KEY,
  username   text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- A conversation is a one-to-one chat or a group; messages hang off it and take its next sequence.
CREATE TABLE conversations (
  id           bigserial PRIMARY KEY,
  kind         char(1) NOT NULL CHECK (kind IN ('C', 'G')),
  external_id  text NOT NULL,
  -- chats: the pair, user_a < user_b
  user_a       text REFERENCES users (username),
  user_b       text REFERENCES users (username),
  -- groups
  name         text,
  owner        text REFERENCES users (username),
  member_count integer NOT NULL DEFAULT 0,
  last_seq     bigint NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, external_id),
  CHECK (kind <> 'C' OR (user_a IS NOT NULL AND user_b IS NOT NULL AND user_a < user_b))
);
-- The one chat of a pair, either order (the pair is stored sorted).
CREATE UNIQUE INDEX conversations_pair ON conversations (user_a, user_b) WHERE kind = 'C';
CREATE INDEX conversations_user_b ON conversations (user_b) WHERE kind = 'C';

CREATE TABLE group_members (
  conversation_id bigint NOT NULL REFERENCES conversations (id),
  username        text NOT NULL REFERENCES users (username),
  joined_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, username)
);
CREATE INDEX group_members_by_user ON group_members (username, conversation_id);

CREATE TABLE messages (
  id              bigserial PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations (id),
  seq             bigint NOT NULL,
  sender          text NOT NULL REFERENCES users (username),
  content         text NOT NULL,
  client_msg_id   text,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (conversation_id, seq)
);
-- Idempotent retries: one message per sender and client message id.
CREATE UNIQUE INDEX messages_client_msg_id ON messages (sender, client_msg_id) WHERE client_msg_id IS NOT NULL;
