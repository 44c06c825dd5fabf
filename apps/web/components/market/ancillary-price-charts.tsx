'use client';
import { useMemo } from 'react';
import type { AncillaryPriceView } from '@optibid/contracts';
import { EChart, axisStyle, chartColors, type ChartOption } from '@/components/charts/echart';
import { formatDateTime } from '@/lib/format';
import { usePreferences } from '@/lib/preferences';

/** One product's capacity clearing price over time ($/MW per hour), held over each interval. */
function ProductChart({ product, items, timeZone }: { product: string; items: AncillaryPriceView[]; timeZone: string }) {
  const { theme } = usePreferences();
  const option = useMemo<ChartOption>(() => {
    const ax = axisStyle(theme);
    const c = chartColors(theme);
    return {
      title: { text: product, left: 0, top: 0, textStyle: { color: c.text, fontSize: 13 } },
      grid: { left: 56, right: 12, top: 30, bottom: 28 },
      tooltip: {
        trigger: 'axis',
        formatter: (params: { value: [number, number] }[]) =>
          params.length ? `${formatDateTime(params[0]!.value[0], timeZone, { seconds: false })}<br/>${product}: ${params[0]!.value[1].toFixed(2)} $/MW-h` : '',
      },
      xAxis: { type: 'time', ...ax, axisLabel: { ...ax.axisLabel, hideOverlap: true, formatter: (v: number) => formatDateTime(v, timeZone, { seconds: false }).slice(5, 16) } },
      yAxis: { type: 'value', name: '$/MW-h', scale: true, ...ax },
      series: [{ name: product, type: 'line', step: 'end', symbol: 'none', lineStyle: { width: 1.3 }, data: items.map((p) => [new Date(p.interval_start).getTime(), p.price_usd_per_mw]) }],
    };
  }, [product, items, timeZone, theme]);
  return <EChart option={option} height={200} label={`${product} clearing price in $/MW per hour, times in ${timeZone}`} testId={`as-price-chart-${product}`} />;
}

/** A chart per ancillary-service product, in the order the server lists them. */
export function AncillaryPriceCharts({ products, items, timeZone }: { products: string[]; items: AncillaryPriceView[]; timeZone: string }) {
  const byProduct = useMemo(() => {
    const m = new Map<string, AncillaryPriceView[]>();
    for (const it of items) m.set(it.product, [...(m.get(it.product) ?? []), it]);
    return m;
  }, [items]);
  return (
    <div className="grid-2" data-testid="as-price-charts">
      {products.map((p) => (
        <ProductChart key={p} product={p} items={byProduct.get(p) ?? []} timeZone={timeZone} />
      ))}
    </div>
  );
}
