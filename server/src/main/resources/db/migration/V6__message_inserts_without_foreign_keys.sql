-- Storing a message checked its conversation and its sender by foreign key: two trigger queries per row
-- (each a KEY SHARE row lock, WAL-logged, and a MultiXact when concurrent batches share a row), about half of
-- what a batched insert into messages costs PostgreSQL (docs/performance.md). The statements that insert
-- messages check both themselves, once per batch row and without locks of their own: the conversation row is
-- locked FOR UPDATE anyway (it gives the seq), and the sender must be a row of users. Neither conversations
-- nor users rows are ever deleted (an erased user keeps the row, marked erased), so nothing can make a stored
-- message's conversation or sender disappear later.
ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey;
ALTER TABLE messages DROP CONSTRAINT messages_sender_fkey;

-- Where a read position was before the last MARK_READ moved it, as a message id (prev_read_seq's message): a
-- batch of marks, one statement for many, answers each mark with the position as of that mark, and for a mark
-- that moved nothing that is where the position was (RETURNING sees new values only). Not indexed: moving a
-- read position stays a HOT update.
ALTER TABLE read_positions ADD COLUMN prev_read_message_id bigint;
