-- An Idempotency-Key binds the request it was first used with: a hash of the
-- method, path and body. NULL for keys stored before this column existed.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS fingerprint text;
