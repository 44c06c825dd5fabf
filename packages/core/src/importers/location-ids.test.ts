import { describe, expect, it } from 'vitest';
import { isValidLocationId } from './common.js';
import { parsePriceText } from './parse-file.js';

describe('location identifiers on import (issue 13, finding 14)', () => {
  it('refuses rows whose location could start a spreadsheet formula or holds control characters, with the line', () => {
    const csv = [
      'interval_start_utc,interval_end_utc,location,lmp',
      '2026-06-01T00:00:00Z,2026-06-01T01:00:00Z,WESTERN HUB,30',
      '2026-06-01T00:00:00Z,2026-06-01T01:00:00Z,"=HYPERLINK(""http://evil.example"",""x"")",1999',
      '2026-06-01T00:00:00Z,2026-06-01T01:00:00Z,@SUM(A1),5',
      '2026-06-01T00:00:00Z,2026-06-01T01:00:00Z,+cmd,5',
    ].join('\n');
    const r = parsePriceText(csv, 'pjm_gridstatus.csv', { format: 'gridstatus_lmp', market: 'PJM' });
    expect(r.rows.map((x) => x.location)).toEqual([r.rows[0]!.location]);
    expect(r.rows).toHaveLength(1);
    expect(r.rejections.map((x) => x.line)).toEqual([3, 4, 5]);
    expect(r.rejections[0]!.reason).toMatch(/not a valid identifier/);
  });

  it('accepts the identifiers ISOs publish', () => {
    for (const id of ['HB_HOUSTON', 'N.Y.C.', 'WEST HUB', 'TH_NP15_GEN-APND', '.Z.MAINE', 'PJM-RTO', 'AEP GEN HUB', 'MINN.HUB', 'ILLINOIS.HUB', "O'HARE (1)"]) {
      expect(isValidLocationId(id), id).toBe(true);
    }
    for (const id of ['=1+1', '-2+3', '+A', '@x', '', 'a\u0000b', 'tab\there', 'x'.repeat(101)]) expect(isValidLocationId(id), id).toBe(false);
  });
});
