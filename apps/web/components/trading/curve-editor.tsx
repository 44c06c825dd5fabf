'use client';
import { useMemo, useState } from 'react';
import { Button, Field, Select } from '@/components/ui';
import { EChart, axisStyle, type ChartOption } from '@/components/charts/echart';
import { stepPoints, type CurveIssue, type Segment } from '@/lib/bid-rules';
import { usePreferences } from '@/lib/preferences';
import { hourEnding } from '@/lib/time';

/** Cells as typed (strings), so "-" or "1." can be on the way to a number. */
export interface SegmentText {
  mw: string;
  price: string;
}

export function toText(curves: Segment[][]): SegmentText[][] {
  return curves.map((c) => c.map((s) => ({ mw: String(s.mw), price: String(s.price_usd_per_mwh) })));
}

export function fromText(curves: SegmentText[][]): Segment[][] {
  return curves.map((c) => c.map((s) => ({ mw: s.mw.trim() === '' ? NaN : Number(s.mw), price_usd_per_mwh: s.price.trim() === '' ? NaN : Number(s.price) })));
}

export interface CurveEditorProps {
  curves: SegmentText[][];
  onChange?: (next: SegmentText[][]) => void;
  issues: CurveIssue[];
  maxSegments: number;
}

/**
 * Per-hour bid curve editor: an hour strip (hours with problems marked), the
 * segment table of the chosen hour beside its step chart, add/remove segments,
 * and copy the hour to a range of hours. Without `onChange` it is read-only.
 */
export function CurveEditor({ curves, onChange, issues, maxSegments }: CurveEditorProps) {
  const { theme } = usePreferences();
  const [hour, setHour] = useState(0);
  const [copyFrom, setCopyFrom] = useState(1);
  const [copyTo, setCopyTo] = useState(curves.length);
  const h = Math.min(hour, curves.length - 1);
  const curve = useMemo(() => curves[h] ?? [], [curves, h]);
  const readOnly = !onChange;
  const badHours = new Set(issues.filter((i) => i.period !== undefined).map((i) => i.period!));
  const hourIssues = issues.filter((i) => i.period === h);
  const cellIssue = (seg: number) => hourIssues.filter((i) => i.segment === seg);

  function update(fn: (c: SegmentText[]) => SegmentText[]) {
    onChange?.(curves.map((c, i) => (i === h ? fn(c) : c)));
  }
  function copyToRange() {
    const from = Math.max(1, Math.min(copyFrom, copyTo)) - 1;
    const to = Math.min(curves.length, Math.max(copyFrom, copyTo)) - 1;
    onChange?.(curves.map((c, i) => (i >= from && i <= to ? curve.map((s) => ({ ...s })) : c)));
  }

  const option = useMemo<ChartOption>(() => {
    const ax = axisStyle(theme);
    const parsed = fromText([curve])[0]!;
    return {
      grid: { left: 56, right: 16, top: 30, bottom: 40 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${Number(v).toFixed(2)} $/MWh` },
      xAxis: { type: 'value', name: 'MW', nameLocation: 'middle', nameGap: 26, ...ax },
      yAxis: { type: 'value', name: '$/MWh', scale: true, ...ax },
      series: [
        {
          name: `${hourEnding(h)} curve`,
          type: 'line',
          symbol: 'circle',
          symbolSize: 5,
          lineStyle: { width: 2 },
          data: stepPoints(parsed),
          markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { type: 'dashed', opacity: 0.5 }, data: [{ xAxis: 0 }] },
        },
      ],
    };
  }, [curve, h, theme]);

  return (
    <div className="stack" style={{ gap: '0.75rem' }} data-testid="curve-editor">
      <div className="hour-strip" role="group" aria-label="Hour of the delivery day">
        {curves.map((c, i) => (
          <button
            key={i}
            type="button"
            aria-pressed={i === h}
            className={badHours.has(i) ? 'has-issue' : undefined}
            title={`${hourEnding(i)}: ${c.length} segment(s)${badHours.has(i) ? ', has problems' : ''}`}
            onClick={() => setHour(i)}
          >
            {hourEnding(i).slice(2)}
          </button>
        ))}
      </div>
      <div className="grid-2">
        <div>
          <table className="ui-table curve-table" aria-label={`Segments of ${hourEnding(h)}`}>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col" className="num">
                  MW
                </th>
                <th scope="col" className="num">
                  $/MWh
                </th>
                {readOnly ? null : <th scope="col" aria-label="Actions" />}
              </tr>
            </thead>
            <tbody>
              {curve.map((s, k) => {
                const bad = cellIssue(k);
                const mwBad = bad.some((i) => /mw|sign|order|zero|invalid/.test(i.code));
                const priceBad = bad.some((i) => /price|cap|floor|monotone|invalid/.test(i.code));
                return (
                  <tr key={k} data-testid={`segment-${k}`} data-invalid={bad.length ? 'true' : undefined}>
                    <td>{k + 1}</td>
                    <td className={`num${mwBad ? ' invalid' : ''}`}>
                      <input
                        className="ui-input"
                        aria-label={`Segment ${k + 1} MW`}
                        aria-invalid={mwBad || undefined}
                        inputMode="decimal"
                        value={s.mw}
                        readOnly={readOnly}
                        onChange={(e) => update((c) => c.map((x, j) => (j === k ? { ...x, mw: e.target.value } : x)))}
                      />
                    </td>
                    <td className={`num${priceBad ? ' invalid' : ''}`}>
                      <input
                        className="ui-input"
                        aria-label={`Segment ${k + 1} price`}
                        aria-invalid={priceBad || undefined}
                        inputMode="decimal"
                        value={s.price}
                        readOnly={readOnly}
                        onChange={(e) => update((c) => c.map((x, j) => (j === k ? { ...x, price: e.target.value } : x)))}
                      />
                    </td>
                    {readOnly ? null : (
                      <td>
                        <Button size="sm" variant="ghost" aria-label={`Remove segment ${k + 1}`} onClick={() => update((c) => c.filter((_, j) => j !== k))}>
                          ×
                        </Button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {hourIssues.length ? (
            <ul className="issue-list text-danger" data-testid="hour-issues">
              {hourIssues.map((i, n) => (
                <li key={n}>{i.message}</li>
              ))}
            </ul>
          ) : null}
          {readOnly ? null : (
            <div className="stack" style={{ gap: '0.5rem', marginTop: '0.5rem' }}>
              <div className="row">
                <Button size="sm" variant="secondary" disabled={curve.length >= maxSegments} onClick={() => update((c) => [...c, { mw: c.at(-1)?.mw ?? '1', price: c.at(-1)?.price ?? '0' }])}>
                  Add segment
                </Button>
                <span className="muted" style={{ fontSize: '0.8rem' }}>
                  {curve.length} of at most {maxSegments} segments
                </span>
              </div>
              <div className="row" style={{ alignItems: 'flex-end' }}>
                <Field label="Copy this hour to HE">
                  {(p) => <Select {...p} value={String(copyFrom)} onChange={(e) => setCopyFrom(Number(e.target.value))} options={curves.map((_, i) => ({ value: String(i + 1), label: hourEnding(i) }))} />}
                </Field>
                <Field label="through">
                  {(p) => <Select {...p} value={String(copyTo)} onChange={(e) => setCopyTo(Number(e.target.value))} options={curves.map((_, i) => ({ value: String(i + 1), label: hourEnding(i) }))} />}
                </Field>
                <Button size="sm" variant="secondary" onClick={copyToRange} style={{ marginBottom: '0.9rem' }}>
                  Copy {hourEnding(h)}
                </Button>
              </div>
            </div>
          )}
        </div>
        <EChart option={option} height={260} label={`Bid curve of ${hourEnding(h)}: price against cumulative MW`} testId="curve-chart" />
      </div>
    </div>
  );
}

