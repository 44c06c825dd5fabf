-- Transactional outbox (issue 16): events a transaction announces (a clearing's bid_status and
-- award, a settlement's bid_status) are written here in that transaction and published to the
-- bus after it commits, by the instance that committed it or, if that instance died first, by
-- any instance's sweeper once the row is a few seconds old. `id` travels in the message as
-- `event_id`, so a row published twice (its publisher died before marking it) is dropped by
-- the receiver; `seq` keeps the publishing order of one transaction's events.
CREATE TABLE event_outbox (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  channel text NOT NULL,
  message jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX event_outbox_unpublished_idx ON event_outbox (seq) WHERE published_at IS NULL;
CREATE INDEX event_outbox_published_idx ON event_outbox (published_at) WHERE published_at IS NOT NULL;
