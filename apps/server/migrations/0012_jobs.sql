-- Durable jobs (claimed with FOR UPDATE SKIP LOCKED, leased, heartbeated,
-- retried with backoff) and the unique clearing record of a market day.
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  queue text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_by text,
  lease_expires_at timestamptz,
  progress jsonb,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
-- The claim scans only unfinished jobs of a queue in run order.
CREATE INDEX jobs_claim_idx ON jobs (queue, run_at) WHERE status IN ('queued', 'running');

-- Backtests queued or running before jobs existed have no job to resume them.
UPDATE backtests SET status = 'failed', error = 'interrupted: the server stopped while it ran', finished_at = now()
WHERE status IN ('queued', 'running');
