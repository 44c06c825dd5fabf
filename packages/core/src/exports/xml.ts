/**
 * A small deterministic XML writer: elements, text and comments, two-space indentation,
 * `\n` line ends, escaping per XML 1.0 §2.4 (`&`, `<`, `>` in text; plus `"` in attributes).
 * Characters XML 1.0 cannot carry (C0 controls other than tab/LF/CR, lone surrogates,
 * U+FFFE/U+FFFF) are refused rather than silently dropped.
 */

export type XmlNode = XmlElement | XmlComment;

export interface XmlElement {
  name: string;
  attrs?: readonly (readonly [string, string])[];
  /** Text content (leaf element) … */
  text?: string;
  /** … or child nodes. */
  children?: readonly XmlNode[];
}

export interface XmlComment {
  comment: string;
}

// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkChars(s: string): string {
  if (INVALID_XML_CHARS.test(s)) throw new RangeError(`text contains a character XML 1.0 cannot represent: ${JSON.stringify(s)}`);
  return s;
}

export function escapeXmlText(s: string): string {
  return checkChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

const NAME = /^[A-Za-z_][A-Za-z0-9._:-]*$/;

/** Shorthand for a leaf element. */
export const xmlLeaf = (name: string, text: string | number | boolean): XmlElement => ({ name, text: String(text) });
export const xmlEl = (name: string, children: readonly XmlNode[], attrs?: readonly (readonly [string, string])[]): XmlElement =>
  attrs ? { name, children, attrs } : { name, children };

function write(node: XmlNode, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  if ('comment' in node) {
    const c = checkChars(node.comment);
    if (c.includes('--') || c.endsWith('-')) throw new RangeError(`an XML comment cannot contain "--" or end with "-": ${JSON.stringify(c)}`);
    out.push(`${pad}<!-- ${c} -->`);
    return;
  }
  if (!NAME.test(node.name)) throw new RangeError(`not an XML element name: ${JSON.stringify(node.name)}`);
  const attrs = (node.attrs ?? []).map(([k, v]) => {
    if (!NAME.test(k)) throw new RangeError(`not an XML attribute name: ${JSON.stringify(k)}`);
    return ` ${k}="${escapeXmlAttr(v)}"`;
  }).join('');
  const kids = node.children ?? [];
  if (kids.length > 0) {
    out.push(`${pad}<${node.name}${attrs}>`);
    for (const k of kids) write(k, depth + 1, out);
    out.push(`${pad}</${node.name}>`);
  } else if (node.text !== undefined && node.text !== '') {
    out.push(`${pad}<${node.name}${attrs}>${escapeXmlText(node.text)}</${node.name}>`);
  } else {
    out.push(`${pad}<${node.name}${attrs}/>`);
  }
}

/** A whole document: XML declaration, the root element, a final newline. */
export function xmlDocument(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, 0, out);
  return out.join('\n') + '\n';
}
