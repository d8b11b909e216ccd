-- A MARK_READ locked its conversation's row before drawing its position (the writers' rule, docs/architecture.md)
-- and raised conversations.events_pos, so the marks and the sends of a conversation queued on one row, each
-- waiting for the other's commit and WAL flush: at 5,000 msg/s with every message marked, a third of the samples
-- of PostgreSQL's busy backends were such waits (docs/performance.md, "Marks off the conversation's row"). Marks
-- now lock and raise a narrow row of their own per conversation; SYNC looks past either position.
CREATE TABLE conversation_reads (
  conversation_id bigint PRIMARY KEY REFERENCES conversations (id),
  -- the position of the conversation's latest read-position move (a MARK_READ that moved one); 0: none yet
  pos bigint NOT NULL DEFAULT 0
);
-- Existing conversations: their events_pos already covers every move made so far.
INSERT INTO conversation_reads (conversation_id) SELECT id FROM conversations;

-- Every conversation has its row from the start, whoever creates it (a mark locks it; it cannot lock a row that
-- is not there). One insert per statement that creates conversations.
CREATE FUNCTION add_conversation_reads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO conversation_reads (conversation_id) SELECT id FROM created;
  RETURN NULL;
END $$;
CREATE TRIGGER conversations_reads_row AFTER INSERT ON conversations
  REFERENCING NEW TABLE AS created FOR EACH STATEMENT EXECUTE FUNCTION add_conversation_reads();
