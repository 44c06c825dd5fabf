'use client';
import { useEffect, useState } from 'react';
import { Card, EmptyState, ErrorMessage, Loading, Notice } from '@/components/ui';
import { isActive, useBacktests, type Backtest } from '@/lib/backtest-queries';
import { hasPermission, useUser } from '@/lib/session';
import { BacktestCompare } from './backtest-compare';
import { BacktestForm } from './backtest-form';
import { BacktestList } from './backtest-list';

/**
 * Backtests inside Analytics: configure and start (traders, analysts, admins),
 * follow progress live (the list polls while any runs; backtest_progress events
 * refresh it too), and compare finished ones side by side.
 */
export function BacktestsSection() {
  const user = useUser();
  const canRun = hasPermission(user, 'backtest:run');
  const list = useBacktests();
  const [compared, setCompared] = useState<string[]>([]);
  const [pendingCompare, setPendingCompare] = useState<string[]>([]);
  const [lastStarted, setLastStarted] = useState<string[]>([]);
  const items = list.data ?? [];

  // Just-started backtests become the comparison once all of them have ended (the succeeded ones).
  useEffect(() => {
    if (!pendingCompare.length || !list.data) return;
    const ended = pendingCompare.every((id) => list.data.some((b) => b.id === id && !isActive(b)));
    if (!ended) return;
    setCompared(pendingCompare.filter((id) => list.data.some((b) => b.id === id && b.status === 'succeeded')).slice(0, 4));
    setPendingCompare([]);
  }, [list.data, pendingCompare]);
  // First visit: compare the newest finished run of each strategy over the newest configuration.
  useEffect(() => {
    if (compared.length || pendingCompare.length || !list.data?.length) return;
    const newest = list.data.find((b) => b.status === 'succeeded');
    if (!newest) return;
    const same = list.data.filter(
      (b) => b.status === 'succeeded' && b.config.location === newest.config.location && b.config.start === newest.config.start && b.config.end === newest.config.end,
    );
    const seen = new Set<string>();
    setCompared(same.filter((b) => !seen.has(b.config.strategy) && seen.add(b.config.strategy)).slice(0, 4).map((b) => b.id));
    // only on the first load
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list.data]);

  function started(runs: Backtest[]) {
    setCompared([]);
    setPendingCompare(runs.map((r) => r.id));
    setLastStarted(runs.map((r) => r.id));
  }

  const toggle = (id: string) => setCompared((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id].slice(-4)));
  const comparable = compared.filter((id) => items.some((b) => b.id === id && b.status === 'succeeded'));
  // Failures of the runs just started are spelled out above the list (the API's message).
  const failed = items.filter((b) => b.status === 'failed' && lastStarted.includes(b.id));

  return (
    <div className="stack" data-testid="backtests">
      <h2 className="section-title">Backtests</h2>
      {canRun ? <BacktestForm onStarted={started} /> : <Notice tone="info">Your role ({user.role}) can read backtests; running them needs a trader, analyst or admin.</Notice>}
      <Card title="Runs">
        {failed.map((b) => (
          <ErrorMessage key={b.id} title={`${b.name} failed`} error={b.error ?? 'failed'} />
        ))}
        {list.error ? (
          <ErrorMessage error={list.error} />
        ) : list.isPending ? (
          <Loading label="Loading backtests…" />
        ) : items.length === 0 ? (
          <EmptyState title="No backtests yet">{canRun ? 'Configure one above: a battery, a location with stored prices, a period and strategies.' : 'A trader or analyst runs them.'}</EmptyState>
        ) : (
          <BacktestList items={items} compared={compared} onToggle={toggle} />
        )}
      </Card>
      <Card title="Compare strategies">
        <BacktestCompare ids={comparable} />
      </Card>
    </div>
  );
}

