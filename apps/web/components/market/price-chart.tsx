'use client';
import { useMemo } from 'react';
import type { PriceView } from '@optibid/contracts';
import { EChart, axisStyle, chartColors, type ChartOption } from '@/components/charts/echart';
import { formatDateTime } from '@/lib/format';
import { usePreferences } from '@/lib/preferences';

export interface ForecastBand {
  interval_start: string;
  p50: number;
  p10?: number | null;
  p90?: number | null;
}

const point = (p: PriceView) => [new Date(p.interval_start).getTime(), p.lmp_usd_per_mwh];

/**
 * Day-ahead against real-time over any range, with zoom (mouse wheel/drag inside,
 * slider below) and an optional forecast with its P10–P90 band. Times on the axis
 * and in the tooltip are in `timeZone`.
 */
export function PriceChart({ da, rt, rtLabel, forecast, timeZone, height = 360 }: { da: PriceView[]; rt: PriceView[]; rtLabel: string; forecast?: ForecastBand[]; timeZone: string; height?: number }) {
  const { theme } = usePreferences();
  const option = useMemo<ChartOption>(() => {
    const ax = axisStyle(theme);
    const c = chartColors(theme);
    const series: unknown[] = [
      // Each point starts its interval: hold its value until the next point ('end' step).
      { name: 'Day-ahead', type: 'line', step: 'end', symbol: 'none', lineStyle: { width: 1.5 }, data: da.map(point) },
      { name: rtLabel, type: 'line', symbol: 'none', lineStyle: { width: 1.2 }, data: rt.map(point) },
    ];
    if (forecast?.length) {
      const banded = forecast.filter((f) => f.p10 != null && f.p90 != null);
      // Stacked band: an invisible P10 base plus the P90−P10 width filled.
      series.push(
        { name: 'P10', type: 'line', stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, data: banded.map((f) => [new Date(f.interval_start).getTime(), f.p10]), tooltip: { show: false } },
        { name: 'P10–P90', type: 'line', stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, areaStyle: { color: c.band }, itemStyle: { color: c.band }, data: banded.map((f) => [new Date(f.interval_start).getTime(), (f.p90 as number) - (f.p10 as number)]) },
        { name: 'Forecast P50', type: 'line', symbol: 'none', lineStyle: { type: 'dashed', width: 1.5 }, data: forecast.map((f) => [new Date(f.interval_start).getTime(), f.p50]) },
      );
    }
    return {
      legend: { top: 0, textStyle: { color: c.text }, data: ['Day-ahead', rtLabel, ...(forecast?.length ? ['Forecast P50', 'P10–P90'] : [])] },
      grid: { left: 56, right: 16, top: 32, bottom: 64 },
      tooltip: {
        trigger: 'axis',
        formatter: (params: { seriesName: string; value: [number, number] }[]) => {
          if (!params.length) return '';
          const head = formatDateTime(params[0]!.value[0], timeZone, { seconds: false });
          return [head, ...params.filter((p) => p.seriesName !== 'P10').map((p) => `${p.seriesName}: ${p.value[1].toFixed(2)} $/MWh`)].join('<br/>');
        },
      },
      xAxis: { type: 'time', ...ax, axisLabel: { ...ax.axisLabel, hideOverlap: true, formatter: (v: number) => formatDateTime(v, timeZone, { seconds: false }).slice(5, 16) } },
      yAxis: { type: 'value', name: '$/MWh', scale: true, ...ax },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0 },
        { type: 'slider', xAxisIndex: 0, height: 22, bottom: 10, labelFormatter: (v: number) => formatDateTime(v, timeZone, { seconds: false }).slice(5, 16) },
      ],
      series,
    };
  }, [da, rt, rtLabel, forecast, timeZone, theme]);
  return <EChart option={option} height={height} label={`Day-ahead and ${rtLabel} prices in $/MWh, times in ${timeZone}`} testId="price-chart" />;
}
