-- What the alert evaluator remembers about each rule between events, shared by
-- every instance: the evaluator is one durable consumer group across instances,
-- so consecutive ticks of one rule may be handled by different instances. A
-- handler locks the rule's row (SELECT … FOR UPDATE) for the transaction that
-- evaluates, stores the next state and inserts the notification, so two
-- instances never evaluate one rule at once and a state is never half written.
CREATE TABLE alert_rule_states (
  rule_id uuid PRIMARY KEY REFERENCES alert_rules(id) ON DELETE CASCADE,
  -- The rule version the state was computed for: an edited rule starts afresh.
  rule_updated_at timestamptz NOT NULL,
  -- core's AlertRuleState: {kind: 'price', in_condition} or {kind: 'spread', day, min, max, fired}; null before any event.
  state jsonb,
  -- Per run, the newest event applied: [interval_start epoch ms, message timestamp epoch ms]. An event
  -- not newer than it is a redelivery or arrived after a newer one, and changes nothing.
  applied jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- When a notification's alert was handed to the bus and its e-mail tried (NULL: not yet). The
-- instance that inserted it sends it after the commit; one killed in between leaves it NULL, and
-- any instance's sweep sends it a little later, so the user still gets the push and the e-mail.
ALTER TABLE notifications ADD COLUMN sent_at timestamptz;
UPDATE notifications SET sent_at = created_at;
CREATE INDEX notifications_unsent_idx ON notifications (created_at) WHERE sent_at IS NULL;
