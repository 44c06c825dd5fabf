/**
 * Small CSV helpers. The ISO files have no quoted newlines, so a file is split into lines
 * first and each line into fields; line numbers stay exact (1-based).
 */

export interface CsvLine {
  line: number;
  fields: string[];
}

/** Splits one CSV line, honouring double quotes (`""` inside quotes is a quote). */
export function splitCsvLine(s: string): string[] {
  if (s.indexOf('"') < 0) return s.split(',');
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          cur += '"';
          i++;
        } else q = false;
      } else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Lines of a text with BOM and CR removed; empty lines are kept so numbering stays right. */
export function textLines(text: string): string[] {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = t.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Column index by header name, tolerant of case and surrounding spaces. */
export function headerIndex(header: string[]): (name: string) => number {
  const map = new Map<string, number>();
  header.forEach((h, i) => {
    const k = h.trim().toLowerCase();
    if (!map.has(k)) map.set(k, i);
  });
  return (name) => map.get(name.trim().toLowerCase()) ?? -1;
}

/** A finite number or `null` for an empty cell; `undefined` when the text is not a number. */
export function parseNumberCell(s: string | undefined): number | null | undefined {
  if (s === undefined) return null;
  const t = s.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** `MM/DD/YYYY` → `YYYY-MM-DD`, or undefined. */
export function mdyToYmd(s: string): string | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim());
  if (!m) return undefined;
  return `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
}

/**
 * Parses UTC timestamps written as `YYYY-MM-DD HH:MM[:SS][±HH:MM|Z]` or with `T`;
 * without an offset the text is read as UTC.
 */
export function parseUtcTimestamp(s: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) return undefined;
  let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  const off = m[7];
  if (off && off !== 'Z') {
    const sign = off[0] === '-' ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const d = new Date(ms);
  return Number.isFinite(ms) ? d : undefined;
}

/** `M/D/YYYY h:mm:ss AM` (PJM Data Miner) read as UTC wall time. */
export function parseUsDateTime12(s: string): { date: string; minutes: number } | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AP]M)$/i.exec(s.trim());
  if (!m) return undefined;
  let h = Number(m[4]);
  if (h < 1 || h > 12) return undefined;
  const pm = m[7]!.toUpperCase() === 'PM';
  if (h === 12) h = 0;
  if (pm) h += 12;
  return { date: `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`, minutes: h * 60 + Number(m[5]) };
}
