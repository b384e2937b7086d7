/**
 * The one way evidence XML is parsed (JUnit reports, CycloneDX XML): fast-xml-parser, after
 * refusing any DOCTYPE. Without a DOCTYPE no entity can be declared, so nothing but the five
 * predefined entities and character references is ever expanded: no external entities (XXE), no
 * entity expansion (billion laughs). Evidence never needs a DOCTYPE.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { rejectDocument } from '../errors';

export type XmlElement = Record<string, unknown>;

/**
 * Parses `text` (attributes as "@name", text as "#text"); `arrays` are the element names always
 * read as lists. Removing namespace prefixes ("bom:component" → "component") drops the xmlns
 * attributes too: read the namespace from the text first (detect.ts xmlRoot).
 */
export function parseEvidenceXml(text: string, what: string, arrays: ReadonlySet<string>, options: { removeNamespacePrefixes?: boolean } = {}): XmlElement {
  if (/<!DOCTYPE/i.test(text)) rejectDocument(`the XML has a DOCTYPE declaration; ${what} need none, and they are not accepted (entity expansion is an attack surface)`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) rejectDocument(invalidXmlReason(valid.err, text));
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: options.removeNamespacePrefixes ?? false,
    isArray: (name) => arrays.has(name),
    processEntities: true,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
  });
  return parser.parse(text) as XmlElement;
}

/**
 * The validator's complaint in words a person can act on. A file that stops before its elements
 * are closed (a test run killed while writing its report, an upload cut short) is the common case,
 * and the validator names it as a JSON list of tag names at "line 1, column 1".
 */
function invalidXmlReason(error: { code: string; msg: string; line: number; col: number }, text: string): string {
  const unclosed = /^Invalid '(\[.*\])' found\.$/.exec(error.msg);
  const openNames = unclosed ? parseNames(unclosed[1]!) : null;
  if (openNames?.length) {
    const lines = text.split('\n').length;
    return `the file ends (line ${lines}) before <${openNames.at(-1)}> is closed (still open: ${openNames.map((name) => `<${name}>`).join(' › ')}): it looks cut short; upload the complete file`;
  }
  const single = /^Unclosed tag '(.*)'\.$/.exec(error.msg);
  if (single) return `the file ends before <${single[1]}>, opened at line ${error.line}, column ${error.col}, is closed: it looks cut short; upload the complete file`;
  return `invalid XML at line ${error.line}, column ${error.col}: ${error.msg}`;
}

function parseNames(json: string): string[] | null {
  try {
    const names: unknown = JSON.parse(json);
    return Array.isArray(names) && names.every((name) => typeof name === 'string') ? names : null;
  } catch {
    return null;
  }
}

/** The document's root element name (the first that is not a declaration). */
export function rootElementName(document: XmlElement): string | undefined {
  return Object.keys(document).find((key) => !key.startsWith('?'));
}

export function xmlElements(value: unknown): XmlElement[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (isXmlElement(item) ? item : {}));
}

export function isXmlElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null;
}

/** An element's text: the element itself when it is a plain string, else its "#text". */
export function xmlText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isXmlElement(value) && typeof value['#text'] === 'string') return value['#text'];
  return undefined;
}
