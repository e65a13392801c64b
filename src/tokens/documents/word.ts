import { ValidationError } from '../../core/errors.js';
import type { TokenOptions } from '../kind.js';
import { documentTokenKind } from './document-kind.js';
import { describeOfficeHit } from './office-clients.js';
import {
  appProperties,
  coreProperties,
  freeRelationshipId,
  linkedPicture,
  NS,
  packageRelationships,
  PIXEL_EMU,
  templateOption,
  textPart,
  unzipTemplate,
  withExternalImage,
  XML_HEAD,
  zipParts,
  type Parts,
} from './ooxml.js';
import type { Persona } from './persona.js';
import { xmlText } from './xml-text.js';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

/**
 * A paragraph holding the linked picture. It declares the namespaces it uses itself, so it can be
 * dropped into any document body, however the template's root declares them.
 */
function pictureParagraph(relationshipId: string): string {
  return `<w:p><w:r><w:drawing xmlns:wp="${NS.wp}" xmlns:a="${NS.a}" xmlns:r="${NS.r}"><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="${PIXEL_EMU}" cy="${PIXEL_EMU}"/><wp:docPr id="4242" name="Picture 1"/><a:graphic><a:graphicData uri="${NS.pic}">${linkedPicture(0, relationshipId, 'pic')}</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`;
}

function paragraph(text: string, style?: string): string {
  const props = style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : '';
  return `<w:p>${props}<w:r><w:t xml:space="preserve">${xmlText(text)}</w:t></w:r></w:p>`;
}

function newDocument(url: string, persona: Persona): Parts {
  const body = [
    paragraph(persona.title, 'Title'),
    paragraph(`${persona.company} - internal, do not distribute.`),
    paragraph(`Prepared by ${persona.author}.`),
    paragraph('The figures below are preliminary and subject to review by the finance committee before the next board meeting.'),
    pictureParagraph('rId4'),
  ].join('');
  const parts: Parts = new Map();
  parts.set(
    '[Content_Types].xml',
    `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`,
  );
  parts.set('_rels/.rels', packageRelationships('word/document.xml'));
  parts.set(
    'word/document.xml',
    `${XML_HEAD}<w:document xmlns:w="${W}" xmlns:r="${NS.r}"><w:body>${body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>`,
  );
  parts.set(
    'word/styles.xml',
    `${XML_HEAD}<w:styles xmlns:w="${W}"><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/><w:sz w:val="22"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="48"/></w:rPr></w:style></w:styles>`,
  );
  parts.set(
    'word/_rels/document.xml.rels',
    withExternalImage(
      `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
      'rId4',
      url,
    ),
  );
  parts.set('docProps/core.xml', coreProperties(persona));
  parts.set('docProps/app.xml', appProperties('Microsoft Office Word', persona));
  return parts;
}

/** The user's document with the linked picture added at the end of its body; its own metadata kept. */
function intoTemplate(template: Buffer, url: string): Parts {
  const parts = unzipTemplate(template, 'Word (.docx)');
  const document = textPart(parts, 'word/document.xml', 'Word (.docx)');
  const relsPath = 'word/_rels/document.xml.rels';
  const rels = parts.get(relsPath);
  const id = freeRelationshipId(typeof rels === 'string' ? rels : '');
  // Before the body's closing section properties when there are some (they must stay last).
  const lastSection = document.lastIndexOf('<w:sectPr');
  const end = document.lastIndexOf('</w:body>');
  const at = lastSection > document.lastIndexOf('</w:p>') ? lastSection : end;
  if (end < 0) throw new ValidationError('options.template is not a Word (.docx) file (its document has no body)', { field: 'options.template' });
  parts.set('word/document.xml', document.slice(0, at) + pictureParagraph(id) + document.slice(at));
  parts.set(relsPath, withExternalImage(typeof rels === 'string' ? rels : undefined, id, url));
  return parts;
}

function buildWord(url: string, persona: Persona, input: TokenOptions): Buffer {
  const template = templateOption(input.options, 'Word (.docx)');
  return zipParts(template ? intoTemplate(template, url) : newDocument(url, persona), persona.modified);
}

/** A Word document with a linked (not embedded) picture: opening it fetches the picture from the token. */
export const wordTokenKind = documentTokenKind({
  kind: 'word',
  title: 'Word document (.docx): alerts when opened in Word or LibreOffice',
  what: 'word',
  extension: 'docx',
  optionFields: [
    {
      name: 'template',
      label: 'Your own .docx (optional)',
      type: 'file',
      help: 'The token is added to the end of this document; without one a short document is generated.',
    },
  ],
  usage:
    'Leave this document where only an intruder would open it; opening it in Word or LibreOffice fetches its picture, which fires the token (Word may ask to load external content first).',
  build: buildWord,
  describeHit: describeOfficeHit,
});
