-- Read state, unread counts and the inbox (issue 12).

-- A deleted message keeps its row and its seq (the edit/delete issue sets deleted_at and erases the text).
-- Unread counts subtract deleted messages through this partial index: one range read, empty until messages
-- are deleted.
ALTER TABLE messages ADD COLUMN deleted_at timestamptz;
CREATE INDEX messages_deleted ON messages (conversation_id, seq) WHERE deleted_at IS NOT NULL;
-- The highest seq of a deleted message of the conversation (0: none), kept by the trigger below whoever deletes:
-- a member whose position is at or after it has no deleted message to subtract, and the index is not read.
ALTER TABLE conversations ADD COLUMN last_deleted_seq bigint NOT NULL DEFAULT 0;
CREATE FUNCTION note_deleted_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE conversations SET last_deleted_seq = greatest(last_deleted_seq, NEW.seq) WHERE id = NEW.conversation_id;
  RETURN NEW;
END $$;
CREATE TRIGGER messages_deleted_seq AFTER UPDATE OF deleted_at ON messages
  FOR EACH ROW WHEN (NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION note_deleted_message();

-- The inbox orders conversations by activity: the id of the last message (ids come from one sequence, so they
-- are comparable across conversations), or for a conversation without messages a value of the same sequence
-- drawn when it was created.
ALTER TABLE conversations ADD COLUMN activity bigint NOT NULL DEFAULT 0;
UPDATE conversations c SET activity = coalesce(
  (SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND m.seq = c.last_seq), 0);
ALTER TABLE conversations ALTER COLUMN activity SET DEFAULT nextval('messages_id_seq');

-- One row per member of a conversation (both participants of a chat, every member of a group): the member's
-- read position, as the conversation's dense seq and the message id there. prev_read_seq is the position
-- before the last write, so that one statement can say whether a position moved (RETURNING sees new values
-- only). Keyed by user first: the inbox reads a user's rows; (user, conversation) lookups use the same key.
CREATE TABLE read_positions (
  username        text NOT NULL REFERENCES users (username),
  conversation_id bigint NOT NULL REFERENCES conversations (id),
  read_seq        bigint NOT NULL DEFAULT 0,
  read_message_id bigint,
  prev_read_seq   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (username, conversation_id)
) WITH (fillfactor = 70);

-- Existing conversations: everything said before this migration counts as read (no badge for old history).
INSERT INTO read_positions (username, conversation_id, read_seq, read_message_id, prev_read_seq)
SELECT u.username, c.id, c.last_seq, m.id, c.last_seq
FROM conversations c
CROSS JOIN LATERAL (SELECT c.user_a AS username WHERE c.kind = 'C'
                    UNION ALL SELECT c.user_b WHERE c.kind = 'C'
                    UNION ALL SELECT gm.username FROM group_members gm WHERE c.kind = 'G' AND gm.conversation_id = c.id) u
LEFT JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq;
