-- A job may carry an exclusive key that at most one running job holds at a time, on
-- every instance together: the scheduled ISO fetches carry `iso:<ISO>`, so one request
-- at a time goes to each ISO however many instances fetch. The claim passes over a job
-- whose key another running job holds; this index settles the race of two claims.
ALTER TABLE jobs ADD COLUMN exclusive_key text;
CREATE UNIQUE INDEX jobs_exclusive_running_idx ON jobs (exclusive_key) WHERE exclusive_key IS NOT NULL AND status = 'running';
