import { DecompressionBudget, unzipBounded } from './archive.js';

/**
 * Minimal XLSX reader: enough for ISO workbooks of plain values (shared strings, inline
 * strings, numbers). No styles, dates are returned as the stored text/number.
 */

export interface XlsxRow {
  /** 1-based sheet row number. */
  row: number;
  cells: string[];
}

export interface XlsxSheet {
  name: string;
  rows: XlsxRow[];
}

const decoder = new TextDecoder('utf-8');

function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    switch (e) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

function textOf(fragment: string): string {
  let out = '';
  const re = /<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g;
  for (let m = re.exec(fragment); m; m = re.exec(fragment)) out += m[1];
  return decodeEntities(out);
}

function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

export function isZip(data: Uint8Array): boolean {
  return data.length > 4 && data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;
}

export function isXlsx(files: Record<string, Uint8Array>): boolean {
  return 'xl/workbook.xml' in files;
}

function resolveTarget(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  return `xl/${target}`.replace(/\/\.\//g, '/');
}

/** Reads every worksheet in workbook order (a workbook's bytes open within the default decompression limits). Throws on a zip that is not a workbook. */
export function readXlsx(input: Uint8Array | Record<string, Uint8Array>): XlsxSheet[] {
  const files = input instanceof Uint8Array ? unzipBounded(input, new DecompressionBudget('workbook', input.length)) : input;
  const wb = files['xl/workbook.xml'];
  if (!wb) throw new Error('not an XLSX workbook (xl/workbook.xml missing)');
  const relsXml = files['xl/_rels/workbook.xml.rels'];
  const rels = new Map<string, string>();
  if (relsXml) {
    const re = /<Relationship\b([^>]*)\/?>/g;
    const text = decoder.decode(relsXml);
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const id = /\bId="([^"]*)"/.exec(m[1]!)?.[1];
      const target = /\bTarget="([^"]*)"/.exec(m[1]!)?.[1];
      if (id && target) rels.set(id, resolveTarget(target));
    }
  }
  const shared: string[] = [];
  const sst = files['xl/sharedStrings.xml'];
  if (sst) {
    const text = decoder.decode(sst);
    const re = /<si>([\s\S]*?)<\/si>/g;
    for (let m = re.exec(text); m; m = re.exec(text)) shared.push(textOf(m[1]!));
  }
  const sheets: XlsxSheet[] = [];
  const wbText = decoder.decode(wb);
  const sheetRe = /<sheet\b([^>]*)\/?>/g;
  for (let m = sheetRe.exec(wbText); m; m = sheetRe.exec(wbText)) {
    const name = decodeEntities(/\bname="([^"]*)"/.exec(m[1]!)?.[1] ?? '');
    const rid = /\br:id="([^"]*)"/.exec(m[1]!)?.[1];
    const path = rid ? rels.get(rid) : undefined;
    const data = path ? files[path] : undefined;
    if (!data) throw new Error(`XLSX sheet ${name} not found in the archive`);
    sheets.push({ name, rows: readSheet(decoder.decode(data), shared) });
  }
  return sheets;
}

function readSheet(xml: string, shared: string[]): XlsxRow[] {
  const rows: XlsxRow[] = [];
  const rowRe = /<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g;
  const cellRe = /<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g;
  let implicitRow = 0;
  for (let m = rowRe.exec(xml); m; m = rowRe.exec(xml)) {
    const rAttr = /\br="(\d+)"/.exec(m[1]!);
    const rowNo = rAttr ? Number(rAttr[1]) : implicitRow + 1;
    implicitRow = rowNo;
    const cells: string[] = [];
    const body = m[2] ?? '';
    let implicitCol = -1;
    cellRe.lastIndex = 0;
    for (let c = cellRe.exec(body); c; c = cellRe.exec(body)) {
      const attrs = c[1]!;
      const ref = /\br="([A-Z]+)\d*"/.exec(attrs)?.[1];
      const col = ref ? columnIndex(ref) : implicitCol + 1;
      implicitCol = col;
      const type = /\bt="([^"]*)"/.exec(attrs)?.[1];
      const inner = c[2] ?? '';
      let value = '';
      if (type === 'inlineStr') value = textOf(inner);
      else {
        const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
        if (v !== undefined) value = type === 's' ? (shared[Number(v)] ?? '') : decodeEntities(v);
      }
      while (cells.length < col) cells.push('');
      cells[col] = value;
    }
    rows.push({ row: rowNo, cells });
  }
  return rows;
}
