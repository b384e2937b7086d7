/**
 * CycloneDX XML SBOMs (1.2-1.7; the version is the bom element's namespace,
 * http://cyclonedx.org/schema/bom/1.x), read into the same summary as CycloneDX JSON: components
 * (nested ones too; tools, metadata and pedigree components not), their licenses, and the
 * vulnerabilities the document carries. The document is read whole (bounded by the caller).
 */
import { xmlRoot } from '../detect';
import { rejectDocument } from '../errors';
import { ratingRank, SbomTally, vulnerabilityOf, type SbomSummary, type SbomVulnerabilityRecord } from './sbom';
import { parseEvidenceXml, rootElementName, xmlElements, xmlText, type XmlElement } from './xml';

const NAMESPACE = /^http:\/\/cyclonedx\.org\/schema\/bom\/(1\.[0-9]+)$/;
export const CYCLONEDX_XML_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'] as const;

const ARRAYS = new Set(['component', 'license', 'expression', 'vulnerability', 'rating', 'target']);

/** The CycloneDX version an XML document declares by its namespace, or null when it is not CycloneDX. */
export function cyclonedxXmlVersion(namespace: string | undefined): string | null {
  return NAMESPACE.exec(namespace ?? '')?.[1] ?? null;
}

export function parseCycloneDxXml(text: string): SbomSummary {
  // Some tools prefix the elements (<bom:bom xmlns:bom="…">): the namespace is read from the text,
  // the prefixes are dropped.
  const { namespace } = xmlRoot(text);
  const document = parseEvidenceXml(text, 'CycloneDX SBOMs', ARRAYS, { removeNamespacePrefixes: true });
  const rootName = rootElementName(document);
  const bom = xmlElements(document[rootName ?? ''])[0];
  if (rootName !== 'bom' || !bom) rejectDocument(`this is not a CycloneDX XML SBOM: the root element is <${rootName ?? ''}>, expected <bom>`);
  const specVersion = cyclonedxXmlVersion(namespace);
  if (!specVersion) rejectDocument(`the <bom> element's namespace is "${namespace ?? ''}"; a CycloneDX SBOM's is http://cyclonedx.org/schema/bom/1.x`);
  if (!(CYCLONEDX_XML_VERSIONS as readonly string[]).includes(specVersion)) {
    rejectDocument(`CycloneDX ${specVersion} is not read; versions ${CYCLONEDX_XML_VERSIONS[0]} to ${CYCLONEDX_XML_VERSIONS.at(-1)} are: convert it with cyclonedx-cli`);
  }
  const tally = new SbomTally();
  // Component bom-ref → purl, to name what a vulnerability affects by its purl (VEX matching).
  const purlsByRef = new Map<string, string>();
  for (const list of xmlElements(bom.components)) visitComponents(list, tally, purlsByRef);
  const subject = xmlElements(xmlElements(bom.metadata)[0]?.component)[0];
  const subjectName = xmlText(subject?.name);
  const subjectVersion = xmlText(subject?.version);
  const vulnerabilities = bom.vulnerabilities === undefined ? null : xmlElements(bom.vulnerabilities).flatMap((list) => xmlElements(list.vulnerability).map(vulnerability));
  return tally.summary(
    { format: 'cyclonedx', specVersion, encoding: 'xml', subject: subjectName ? { name: subjectName, ...(subjectVersion ? { version: subjectVersion } : {}) } : null },
    vulnerabilities,
    purlsByRef,
  );
}

/** <components>: each <component>, then the components it nests. */
function visitComponents(list: XmlElement, tally: SbomTally, purlsByRef: Map<string, string>): void {
  for (const component of xmlElements(list.component)) {
    const licenses: string[] = [];
    for (const choice of xmlElements(component.licenses)) {
      for (const license of xmlElements(choice.license)) {
        const value = (xmlText(license.id) ?? xmlText(license.name))?.trim();
        if (value) licenses.push(value);
      }
      for (const expression of choice.expression === undefined ? [] : (choice.expression as unknown[])) {
        const value = xmlText(expression)?.trim();
        if (value) licenses.push(value);
      }
    }
    tally.add({ name: xmlText(component.name), version: xmlText(component.version) }, licenses);
    const ref = xmlText(component['@bom-ref']);
    const purl = xmlText(component.purl);
    if (ref && purl) purlsByRef.set(ref, purl);
    for (const nested of xmlElements(component.components)) visitComponents(nested, tally, purlsByRef);
  }
}

/** <vulnerability>: its id, the most severe of its ratings, the targets it affects, its other ids (references). */
function vulnerability(element: XmlElement): SbomVulnerabilityRecord {
  let rank: number | undefined;
  for (const ratings of xmlElements(element.ratings)) {
    for (const rating of xmlElements(ratings.rating)) {
      const score = xmlText(rating.score);
      const value = ratingRank({ severity: xmlText(rating.severity), score: score === undefined ? undefined : Number.parseFloat(score), method: xmlText(rating.method) });
      if (value !== undefined) rank = Math.min(rank ?? value, value);
    }
  }
  const refs = xmlElements(element.affects)
    .flatMap((affects) => xmlElements(affects.target))
    .map((target) => xmlText(target.ref))
    .filter((ref): ref is string => !!ref);
  const aliases = xmlElements(element.references)
    .flatMap((references) => xmlElements(references.reference))
    .map((reference) => xmlText(reference.id))
    .filter((id): id is string => !!id);
  return vulnerabilityOf(xmlText(element.id), rank, refs, aliases);
}
