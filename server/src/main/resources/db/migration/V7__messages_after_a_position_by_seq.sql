-- SYNC reads a conversation's messages after a position by (conversation_id, seq) instead (SyncStore.MESSAGES):
-- within a conversation ids rise with seq, each drawn under the conversation's row lock, so the messages after a
-- position are those after the seq of its last message at or before it. Each message stored then goes into one
-- index fewer: about 3 µs less PostgreSQL CPU a message (docs/performance.md, "One index fewer").
DROP INDEX messages_by_position;
