'use client';
import { useMemo } from 'react';
import type { PnlView } from '@optibid/contracts';
import { EChart, axisStyle, chartColors, type ChartOption } from '@/components/charts/echart';
import { formatUsd } from '@/lib/format';
import { usePreferences } from '@/lib/preferences';

type PnlRow = PnlView['rows'][number];

/** Revenue per group split into net energy and each AS product (stacked bars, USD). */
export function RevenueByProductChart({ rows, label, group }: { rows: PnlRow[]; label: (key: string) => string; group: string }) {
  const { theme } = usePreferences();
  const option = useMemo<ChartOption>(() => {
    const ax = axisStyle(theme);
    const c = chartColors(theme);
    const products = [...new Set(rows.flatMap((r) => Object.keys(r.revenue_by_product)))].sort();
    const round = (v: number) => Math.round(v * 100) / 100;
    const series = [
      { name: 'Energy (net)', type: 'bar', stack: 'revenue', barMaxWidth: 48, data: rows.map((r) => round(r.energy_revenue_usd)) },
      ...products.map((p) => ({ name: p, type: 'bar', stack: 'revenue', barMaxWidth: 48, data: rows.map((r) => round(r.revenue_by_product[p] ?? 0)) })),
    ];
    return {
      legend: { top: 0, textStyle: { color: c.text } },
      grid: { left: 72, right: 16, top: 32, bottom: 40 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatUsd(v) },
      xAxis: { type: 'category', data: rows.map((r) => label(r.key)), ...ax, axisLabel: { ...ax.axisLabel, hideOverlap: true } },
      yAxis: { type: 'value', name: 'USD', ...ax },
      series,
    };
  }, [rows, label, theme]);
  return <EChart option={option} height={240} label={`Revenue by ${group}: net energy and each ancillary-service product, in USD`} testId={`revenue-by-product-${group}`} />;
}
