import { createHash } from 'node:crypto';
import type { ArtifactContext, TokenKind } from '../kind.js';
import { documentTokenKind } from './document-kind.js';
import { describeOfficeHit } from './office-clients.js';
import type { Persona } from './persona.js';

/** A PDF string literal: backslash, parentheses and anything outside printable ASCII escaped. */
function pdfString(text: string): string {
  return `(${[...text].map((c) => (c === '\\' || c === '(' || c === ')' ? `\\${c}` : c >= ' ' && c <= '~' ? c : '?')).join('')})`;
}

/** A PDF date, D:YYYYMMDDHHmmSSZ. */
function pdfDate(iso: string): string {
  return `D:${iso.replace(/[-:T]/g, '').replace(/\.\d+/, '').replace('Z', '')}Z`;
}

/**
 * The URI the PDF opens: the token's DNS name as the host when the server has a zone (a reader
 * that checks or follows the link resolves it, which fires the token even when the fetch is
 * blocked), on the public URL's scheme and port, with the trigger path, so a fetch fires it too.
 */
export function pdfUri(url: string, id: string, context: ArtifactContext): string {
  if (!context.dnsZone) return url;
  const uri = new URL(url);
  uri.hostname = `${id}.${context.dnsZone}`;
  return uri.toString();
}

const LINES = [
  'This document contains confidential information intended only for the addressee.',
  'Please review the attached figures and confirm by end of week.',
  'Click anywhere on this page to open the full version.',
];

/** A one-page PDF with a page-sized link and an open action, both to `uri`, written with a correct cross-reference table. */
export function buildPdf(uri: string, persona: Persona): Buffer {
  const text = [
    `BT /F1 20 Tf 72 720 Td ${pdfString(persona.title)} Tj ET`,
    `BT /F1 11 Tf 72 690 Td ${pdfString(`${persona.company} - ${persona.author}`)} Tj ET`,
  ];
  LINES.forEach((line, i) => {
    text.push(`BT /F1 11 Tf 72 ${650 - i * 18} Td ${pdfString(line)} Tj ET`);
  });
  const content = text.join('\n');
  const action = `<< /Type /Action /S /URI /URI ${pdfString(uri)} >>`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R /Annots [7 0 R] >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    action,
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    `<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] /Border [0 0 0] /A ${action} >>`,
    `<< /Title ${pdfString(persona.title)} /Author ${pdfString(persona.author)} /Creator (Microsoft Word for Microsoft 365) /Producer (Microsoft Word for Microsoft 365) /CreationDate (${pdfDate(persona.created)}) /ModDate (${pdfDate(persona.modified)}) >>`,
  ];
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  const fileId = createHash('md5').update(uri).update(persona.created).digest('hex');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 8 0 R /ID [<${fileId}> <${fileId}>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A PDF whose open action and link go to the token: readers that follow them (Acrobat after its prompt) fire it. */
const pdfDocument = documentTokenKind({
  kind: 'pdf',
  title: 'PDF document: alerts when opened in a reader that follows its link',
  what: 'pdf',
  extension: 'pdf',
  usage:
    "Leave this PDF where only an intruder would open it; a reader that follows its open action or link (Acrobat asks first; browsers' viewers do not) resolves the token's name and fetches its URL, which fires it.",
  build: (url, persona, _input, context, id) => buildPdf(pdfUri(url, id, context), persona),
  describeHit: describeOfficeHit,
});

/** The PDF kind, which also keeps the zone its document names, to hand out that name as the artifact's hostname. */
export const pdfTokenKind: TokenKind = {
  ...pdfDocument,
  prepare: (id, input, context) => ({ ...pdfDocument.prepare(id, input, context), zone: context.dnsZone ?? null }),
  artifact(token, context) {
    const artifact = pdfDocument.artifact(token, context);
    const zone = token.config.zone;
    return typeof zone === 'string' ? { ...artifact, hostname: `${token.id}.${zone}` } : artifact;
  },
};
