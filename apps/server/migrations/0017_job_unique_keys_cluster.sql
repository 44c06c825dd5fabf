-- A job may carry a key that is unique in its queue among jobs not failed for good
-- (the scheduled clearing of a market day: `ERCOT:DA:2026-12-05`), so every instance
-- can enqueue it and only the first insert counts; a day whose job failed for good
-- can be enqueued again.
ALTER TABLE jobs ADD COLUMN unique_key text;
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (queue, unique_key) WHERE unique_key IS NOT NULL AND status <> 'failed';
