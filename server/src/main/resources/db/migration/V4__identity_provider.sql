-- Accounts made by an external identity provider (issue 15): no password (login refuses them), and the issuer
-- that made them, so that no other origin's token is accepted for the name. NULL issuer: a local account.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN issuer text;
