import { describe, expect, it } from 'vitest';
import { fitInvariantScaler, forecastMedian } from './scaling.js';

/** Reference: numpy's median from a fully sorted copy. */
function sortedMedian(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

describe('forecastMedian (selection)', () => {
  it('equals the sorted-copy median on odd/even lengths with many ties, and leaves the input alone', () => {
    let s = 12345;
    const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    for (let t = 0; t < 2000; t++) {
      const n = 1 + Math.floor(r() * 80);
      const v = Float64Array.from({ length: n }, () => (r() < 0.4 ? Math.floor(r() * 4) : r() * 10 - 5));
      const copy = Float64Array.from(v);
      expect(forecastMedian(v)).toBe(sortedMedian(v));
      expect(v).toEqual(copy);
    }
  });

  it('known values; NaN sorts last as in a sorted typed array', () => {
    expect(forecastMedian(Float64Array.of(3, 1, 2))).toBe(2);
    expect(forecastMedian(Float64Array.of(4, 1, 3, 2))).toBe(2.5);
    expect(forecastMedian(Float64Array.of(5, 5, 5, 5))).toBe(5);
    expect(forecastMedian(Float64Array.of(1, NaN, 0))).toBe(1);
    expect(forecastMedian(new Float64Array(0))).toBeNaN();
    expect(fitInvariantScaler(Float64Array.of(1, 2, 3, 4, 100)).median).toBe(3);
  });
});
