-- Accounts made by an external identity provider (issue 15): no password (login refuses them), and the issuer
-- that made them, so that no other origin's token is accepted for the name. NULL issuer: a local account.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN issuer text;

-- The server-side API (issue 15). A banned user can neither AUTH nor use REST. Tokens issued (iat, in whole
-- seconds) before tokens_valid_after are refused: "revoke all sessions" sets it to the next whole second.
ALTER TABLE users ADD COLUMN banned boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz;

-- Personal data (issue 15). An erased account keeps a tombstone row (its messages' rows keep their sender, and
-- the name cannot be taken again to pass for the erased user): no password, banned, erased_at set. The text
-- of every message it sent is erased as a deletion is: the row stays (sequence, ids, read positions and unread
-- counts stay consistent), content becomes '' and deleted_at (added by V3 with the read state) is set.
ALTER TABLE users ADD COLUMN erased_at timestamptz;
-- Export and erasure read a user's messages by sender, in batches by id.
CREATE INDEX messages_by_sender ON messages (sender, id);
