-- Edit and delete, one-call catch-up (SYNC) and blocking (issue 13).

-- Event positions. Every event a socket can receive live gets a position drawn from one sequence,
-- messages_id_seq: a message's position is its id; an edit or a deletion, a read position that moved, a join or
-- a leave draw theirs with nextval('messages_id_seq'). Each statement that draws a position first locks the
-- conversation's row (FOR UPDATE, or the UPDATE of last_seq), so that (a) within a conversation positions are
-- in commit order, and (b) the drawing transaction already has its xid when it draws: the SYNC watermark
-- (docs/architecture.md) relies on it to never pass a position whose transaction is still running.

-- Only the current text is kept: an edit overwrites content. changed_pos: the position of the last edit or of
-- the deletion (NULL: never changed); SYNC finds a conversation's changes since a token by this partial index.
ALTER TABLE messages ADD COLUMN edited_at timestamptz;
ALTER TABLE messages ADD COLUMN changed_pos bigint;
CREATE INDEX messages_changes ON messages (conversation_id, changed_pos) WHERE changed_pos IS NOT NULL;
-- SYNC reads a conversation's messages after a position: ids rise with seq within a conversation.
CREATE INDEX messages_by_position ON messages (conversation_id, id);

-- The position of the conversation's latest event of any kind (message, edit, deletion, read, join, leave):
-- SYNC only looks into conversations where it is past the token.
ALTER TABLE conversations ADD COLUMN events_pos bigint NOT NULL DEFAULT 0;
UPDATE conversations SET events_pos = activity;

-- The position at which a read position last moved past someone else's message (0: before this migration).
-- Not indexed, so that moving a read position stays a HOT update; SYNC reads a conversation's rows by the index
-- on conversation_id, only for conversations whose events_pos is past the token.
ALTER TABLE read_positions ADD COLUMN pos bigint NOT NULL DEFAULT 0;
CREATE INDEX read_positions_by_conversation ON read_positions (conversation_id);

-- The position of the member's join (0: joined before this migration): SYNC shows a member nothing of the group
-- from before it joined.
ALTER TABLE group_members ADD COLUMN joined_pos bigint NOT NULL DEFAULT 0;

-- Joins and leaves as events (INFO joined/left in SYNC, and the window in which a former member still sees a
-- group's events).
CREATE TABLE membership_events (
  pos             bigint PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations (id),
  username        text NOT NULL REFERENCES users (username),
  joined          boolean NOT NULL,
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX membership_events_by_conversation ON membership_events (conversation_id, pos);
CREATE INDEX membership_events_by_user ON membership_events (username, pos);

-- Blocking: while a row (blocker, blocked) exists, one-to-one messages between the two are refused either way,
-- and neither sees the other's presence, typing or receipts.
CREATE TABLE blocks (
  blocker text NOT NULL REFERENCES users (username),
  blocked text NOT NULL REFERENCES users (username),
  since   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker, blocked),
  CHECK (blocker <> blocked)
);
CREATE INDEX blocks_by_blocked ON blocks (blocked, blocker);
