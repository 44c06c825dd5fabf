import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ercotMw, ercotPrice, ercotStaircasePoints } from './ercot-ews-curves.js';
import { escapeXmlAttr, escapeXmlText, xmlDocument, xmlEl, xmlLeaf } from './xml.js';

describe('xml writer', () => {
  it('escapes text and attributes so any string round-trips', () => {
    const nasty = `a & b < c > d "q" 'apos' \t tab ]]> é 漢 😀`;
    const xml = xmlDocument(xmlEl('root', [xmlLeaf('t', nasty), { comment: 'note' }], [['a', nasty]]));
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: true }).parse(xml);
    expect(parsed.root.t).toBe(nasty);
    expect(escapeXmlText('<&>')).toBe('&lt;&amp;&gt;');
    expect(escapeXmlAttr('"\n')).toBe('&quot;&#10;');
  });

  it('refuses what XML cannot carry instead of writing a broken document', () => {
    expect(() => escapeXmlText('bell \u0007')).toThrow(RangeError);
    expect(() => escapeXmlText('lone \uD800')).toThrow(RangeError);
    expect(() => xmlDocument(xmlEl('r', [{ comment: 'a -- b' }]))).toThrow(/--/);
    expect(() => xmlDocument(xmlEl('1bad', []))).toThrow(/element name/);
  });

  it('writes empty elements self-closed and is byte-stable', () => {
    expect(xmlDocument(xmlEl('r', [xmlLeaf('e', '')]))).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<r>\n  <e/>\n</r>\n');
  });
});

describe('ERCOT number formats', () => {
  it('MW keep one decimal, truncated toward zero; prices round half away from zero to cents', () => {
    expect([2.3, 0.25, -1.25, 0.7, -0.04, 1e-12].map(ercotMw)).toEqual([2.3, 0.2, -1.2, 0.7, 0, 0]);
    expect([45.125, -0.005, 1.005, 5000, 12.3456].map(ercotPrice)).toEqual([45.13, -0.01, 1.01, 5000, 12.35]);
  });

  it('a staircase becomes two points per price step; equal neighbouring prices merge; vanishing blocks drop', () => {
    const r = ercotStaircasePoints(-1, [
      { width_mw: 0.5, price_usd_per_mwh: 10 },
      { width_mw: 0.5, price_usd_per_mwh: 10 },
      { width_mw: 0.04, price_usd_per_mwh: 30 },
      { width_mw: 1, price_usd_per_mwh: 40 },
    ]);
    expect(r.points).toEqual([{ mw: -1, price: 10 }, { mw: 0, price: 10 }, { mw: 0, price: 40 }, { mw: 1, price: 40 }]);
    expect(r.rounded).toBe(true);
  });
});
