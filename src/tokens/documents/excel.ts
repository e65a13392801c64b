import { randomInt } from 'node:crypto';
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

const S = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const XDR = 'http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing';
const DRAWING_TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing';
const DRAWING_CONTENT = 'application/vnd.openxmlformats-officedocument.drawing+xml';
const WHAT = 'Excel (.xlsx)';

/** A drawing part holding one linked 1-pixel picture at the top-left corner, inside the printed area (anchored beyond the data it would add a page). */
function drawing(relationshipId: string): string {
  return `${XML_HEAD}<xdr:wsDr xmlns:xdr="${XDR}" xmlns:a="${NS.a}" xmlns:r="${NS.r}"><xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>0</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="${PIXEL_EMU}" cy="${PIXEL_EMU}"/>${linkedPicture(2, relationshipId, 'xdr')}<xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>`;
}

function cell(ref: string, value: string | number): string {
  return typeof value === 'number' ? `<c r="${ref}"><v>${value}</v></c>` : `<c r="${ref}" t="inlineStr"><is><t>${xmlText(value)}</t></is></c>`;
}

const NAMES = ['A. Novak', 'J. Miller', 'M. Garcia', 'S. Weber', 'D. Rossi', 'L. Andersen', 'T. Dubois', 'E. Larsen', 'R. Silva', 'P. Bennett'];

function sheetRows(): string {
  const rows = [`<row r="1">${cell('A1', 'Name')}${cell('B1', 'Account')}${cell('C1', 'Amount')}</row>`];
  NAMES.forEach((name, i) => {
    const r = i + 2;
    rows.push(
      `<row r="${r}">${cell(`A${r}`, name)}${cell(`B${r}`, `DE${randomInt(10, 99)} ${randomInt(1000, 9999)} ${randomInt(1000, 9999)} ${randomInt(1000, 9999)}`)}${cell(`C${r}`, randomInt(1200, 98_000))}</row>`,
    );
  });
  return rows.join('');
}

function newWorkbook(url: string, persona: Persona): Parts {
  const parts: Parts = new Map();
  parts.set(
    '[Content_Types].xml',
    `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/drawings/drawing1.xml" ContentType="${DRAWING_CONTENT}"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`,
  );
  parts.set('_rels/.rels', packageRelationships('xl/workbook.xml'));
  parts.set(
    'xl/workbook.xml',
    `${XML_HEAD}<workbook xmlns="${S}" xmlns:r="${NS.r}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  );
  parts.set(
    'xl/_rels/workbook.xml.rels',
    `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
  );
  parts.set(
    'xl/styles.xml',
    `${XML_HEAD}<styleSheet xmlns="${S}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf xfId="0"/></cellXfs></styleSheet>`,
  );
  parts.set(
    'xl/worksheets/sheet1.xml',
    `${XML_HEAD}<worksheet xmlns="${S}" xmlns:r="${NS.r}"><sheetData>${sheetRows()}</sheetData><drawing r:id="rId1"/></worksheet>`,
  );
  parts.set(
    'xl/worksheets/_rels/sheet1.xml.rels',
    `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${DRAWING_TYPE}" Target="../drawings/drawing1.xml"/></Relationships>`,
  );
  parts.set('xl/drawings/drawing1.xml', drawing('rId1'));
  parts.set('xl/drawings/_rels/drawing1.xml.rels', withExternalImage(undefined, 'rId1', url));
  parts.set('docProps/core.xml', coreProperties(persona));
  parts.set('docProps/app.xml', appProperties('Microsoft Excel', persona));
  return parts;
}

/**
 * The user's workbook with a drawing holding the linked picture added to its first sheet. A
 * sheet has at most one drawing, so a first sheet that already has one is refused.
 */
function intoTemplate(template: Buffer, url: string): Parts {
  const parts = unzipTemplate(template, WHAT);
  const workbookRels = textPart(parts, 'xl/_rels/workbook.xml.rels', WHAT);
  const workbook = textPart(parts, 'xl/workbook.xml', WHAT);
  const firstSheetId = /<sheet\b[^>]*\br:id="([^"]+)"/.exec(workbook)?.[1];
  const target = firstSheetId && new RegExp(`<Relationship\\b[^>]*\\bId="${firstSheetId}"[^>]*\\bTarget="([^"]+)"`).exec(workbookRels)?.[1];
  const altTarget = firstSheetId && new RegExp(`<Relationship\\b[^>]*\\bTarget="([^"]+)"[^>]*\\bId="${firstSheetId}"`).exec(workbookRels)?.[1];
  const sheetTarget = target || altTarget;
  if (!sheetTarget) throw new ValidationError(`options.template is not an ${WHAT} file (no first sheet)`, { field: 'options.template' });
  const sheetPath = sheetTarget.startsWith('/') ? sheetTarget.slice(1) : `xl/${sheetTarget}`;
  const sheet = textPart(parts, sheetPath, WHAT);
  if (/<drawing\b/.test(sheet)) {
    throw new ValidationError("options.template's first sheet already has a drawing; use a workbook whose first sheet has no pictures or charts", {
      field: 'options.template',
    });
  }
  let n = 1;
  while (parts.has(`xl/drawings/drawing${n}.xml`)) n++;
  const drawingPath = `xl/drawings/drawing${n}.xml`;
  const slash = sheetPath.lastIndexOf('/');
  const sheetRelsPath = `${sheetPath.slice(0, slash)}/_rels/${sheetPath.slice(slash + 1)}.rels`;
  const sheetRels = parts.get(sheetRelsPath);
  const relsText =
    typeof sheetRels === 'string'
      ? sheetRels
      : `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>`;
  const drawingId = freeRelationshipId(relsText);
  parts.set(
    sheetRelsPath,
    relsText.replace('</Relationships>', `<Relationship Id="${drawingId}" Type="${DRAWING_TYPE}" Target="/${drawingPath}"/></Relationships>`),
  );
  // The drawing element's place in a worksheet is fixed by the schema: after these, before the rest.
  const before = /<(legacyDrawing|legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b|<\/worksheet>/.exec(sheet);
  const at = before!.index;
  parts.set(sheetPath, `${sheet.slice(0, at)}<drawing xmlns:r="${NS.r}" r:id="${drawingId}"/>${sheet.slice(at)}`);
  parts.set(drawingPath, drawing('rId1'));
  parts.set(`xl/drawings/_rels/drawing${n}.xml.rels`, withExternalImage(undefined, 'rId1', url));
  const types = textPart(parts, '[Content_Types].xml', WHAT);
  parts.set('[Content_Types].xml', types.replace('</Types>', `<Override PartName="/${drawingPath}" ContentType="${DRAWING_CONTENT}"/></Types>`));
  return parts;
}

function buildExcel(url: string, persona: Persona, input: TokenOptions): Buffer {
  const template = templateOption(input.options, WHAT);
  return zipParts(template ? intoTemplate(template, url) : newWorkbook(url, persona), persona.modified);
}

/** An Excel workbook whose first sheet has a drawing with a linked picture: opening it fetches the picture from the token. */
export const excelTokenKind = documentTokenKind({
  kind: 'excel',
  title: 'Excel workbook (.xlsx): alerts when opened in Excel or LibreOffice',
  what: 'excel',
  extension: 'xlsx',
  optionFields: [
    {
      name: 'template',
      label: 'Your own .xlsx (optional)',
      type: 'file',
      help: 'The token is added to its first sheet (which must have no pictures or charts); without one a small sheet is generated.',
    },
  ],
  usage:
    'Leave this workbook where only an intruder would open it; opening it in Excel or LibreOffice fetches its picture, which fires the token (Excel may ask to enable external content first).',
  build: buildExcel,
  describeHit: describeOfficeHit,
});
