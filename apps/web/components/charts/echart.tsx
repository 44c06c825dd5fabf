'use client';
/**
 * ECharts (tree-shaken: line and bar charts, grid, tooltip, legend, dataZoom,
 * mark lines/areas, canvas renderer) bound to a React element. The option is
 * applied with `notMerge` so series can disappear; animation is off so live
 * updates do not wobble and screenshots are deterministic.
 */
import { useEffect, useMemo, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';
import { usePreferences } from '@/lib/preferences';

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, MarkLineComponent, MarkAreaComponent, CanvasRenderer]);

export type ChartOption = EChartsCoreOption;

export interface EChartProps {
  option: ChartOption;
  height?: number | string;
  /** Describes the chart for screen readers (the canvas itself says nothing). */
  label: string;
  testId?: string;
  /** Called with the instance once (e.g. to listen to dataZoom). */
  onReady?: (chart: echarts.ECharts) => void;
}

/** Theme colours read from the CSS variables so charts follow light/dark. */
export function chartColors(theme: 'light' | 'dark') {
  return theme === 'dark'
    ? { text: '#a5afbd', axis: '#44536a', split: '#2c3848', series: ['#6ea8fe', '#fbbf24', '#34d399', '#f472b6', '#a78bfa', '#f87171'], band: 'rgba(110,168,254,0.18)' }
    : { text: '#4a5565', axis: '#aab3c0', split: '#e5e9ef', series: ['#1d4ed8', '#d97706', '#059669', '#db2777', '#7c3aed', '#dc2626'], band: 'rgba(29,78,216,0.14)' };
}

export function EChart({ option, height = 280, label, testId, onReady }: EChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const { theme } = usePreferences();
  const colors = useMemo(() => chartColors(theme), [theme]);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    onReady?.(c);
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
    // onReady is a one-shot hook at creation
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      {
        animation: false,
        color: colors.series,
        backgroundColor: 'transparent',
        textStyle: { color: colors.text, fontFamily: 'system-ui, sans-serif' },
        ...option,
      },
      { notMerge: true },
    );
  }, [option, colors]);

  return <div ref={el} role="img" aria-label={label} data-testid={testId} style={{ width: '100%', height }} />;
}

/** Axis styling shared by the app's charts. */
export function axisStyle(theme: 'light' | 'dark') {
  const c = chartColors(theme);
  return {
    axisLine: { lineStyle: { color: c.axis } },
    axisLabel: { color: c.text },
    splitLine: { lineStyle: { color: c.split } },
    nameTextStyle: { color: c.text },
  };
}
