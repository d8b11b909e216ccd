-- Group membership version: bumped in the same statement as member_count on every join and leave, so a
-- member list cached under (conversation, members_version) is never used once the membership has changed.
ALTER TABLE conversations ADD COLUMN members_version bigint NOT NULL DEFAULT 0;
