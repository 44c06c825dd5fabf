import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv';

describe('CSV export (issue 13, finding 14)', () => {
  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvCell('+1+cmd|calc')).toBe("'+1+cmd|calc");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
  });

  it('leaves numbers, including negative ones, and ordinary text alone', () => {
    expect(csvCell('-150.00')).toBe('-150.00');
    expect(csvCell(-3.5)).toBe('-3.5');
    expect(csvCell('+12')).toBe('+12');
    expect(csvCell('HB_HOUSTON')).toBe('HB_HOUSTON');
    expect(toCsv(['key', 'net_usd'], [['WEST HUB, PJM', '-1.00']])).toBe('key,net_usd\n"WEST HUB, PJM",-1.00\n');
  });
});
