-- Accounts made by an external identity provider (issue 15): no password (login refuses them), and the issuer
-- that made them, so that no other origin's token is accepted for the name. NULL issuer: a local account.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN issuer text;

-- The server-side API (issue 15). A banned user can neither AUTH nor use REST. Tokens issued (iat, in whole
-- seconds) before tokens_valid_after are refused: "revoke all sessions" sets it to the next whole second.
ALTER TABLE users ADD COLUMN banned boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz;
