import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { ValidationError } from '../../core/errors.js';
import type { Persona } from './persona.js';
import { xmlText } from './xml-text.js';

/** Parts of an Office Open XML package, by path inside the zip, as text (XML) or bytes. */
export type Parts = Map<string, string | Uint8Array>;

export const NS = {
  r: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
  a: 'http://schemas.openxmlformats.org/drawingml/2006/main',
  pic: 'http://schemas.openxmlformats.org/drawingml/2006/picture',
  wp: 'http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing',
  image: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/image',
} as const;

/** One pixel in EMU: the linked picture takes no room anyone would notice. */
export const PIXEL_EMU = 9525;

/**
 * Zips the parts as Office does ([Content_Types].xml first, deflated, stamped with the document's
 * modification time), so identical parts give identical bytes.
 */
export function zipParts(parts: Parts, modified: string): Buffer {
  const mtime = new Date(modified);
  const entries: Zippable = {};
  const paths = [...parts.keys()].sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : 0));
  for (const path of paths) {
    const value = parts.get(path)!;
    entries[path] = [typeof value === 'string' ? strToU8(value) : value, { mtime, level: 6 }];
  }
  return Buffer.from(zipSync(entries));
}

/** Reads a user's document into parts; XML parts as text, everything else as bytes. */
export function unzipTemplate(bytes: Buffer, what: string): Parts {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch {
    throw new ValidationError(`options.template is not a ${what} file (not a zip archive)`, { field: 'options.template' });
  }
  const parts: Parts = new Map();
  for (const [path, data] of Object.entries(files)) parts.set(path, /\.(xml|rels)$/.test(path) ? strFromU8(data) : data);
  if (!parts.has('[Content_Types].xml'))
    throw new ValidationError(`options.template is not a ${what} file (no [Content_Types].xml)`, { field: 'options.template' });
  return parts;
}

export function textPart(parts: Parts, path: string, what: string): string {
  const value = parts.get(path);
  if (typeof value !== 'string') throw new ValidationError(`options.template is not a ${what} file (no ${path})`, { field: 'options.template' });
  return value;
}

/** A relationship id not yet used in a .rels part. */
export function freeRelationshipId(rels: string): string {
  for (let n = 1000; ; n++) if (!rels.includes(`Id="rId${n}"`)) return `rId${n}`;
}

/** Adds an external image relationship to a .rels part (or a new one), returning the part. */
export function withExternalImage(rels: string | undefined, id: string, url: string): string {
  const relationship = `<Relationship Id="${id}" Type="${NS.image}" Target="${xmlText(url)}" TargetMode="External"/>`;
  if (!rels) return `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${relationship}</Relationships>`;
  return rels.replace('</Relationships>', `${relationship}</Relationships>`);
}

export const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n';

/** docProps/core.xml: author, title and times as Office writes them. */
export function coreProperties(persona: Persona): string {
  return `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>${xmlText(persona.title)}</dc:title><dc:creator>${xmlText(persona.author)}</dc:creator><cp:lastModifiedBy>${xmlText(persona.author)}</cp:lastModifiedBy><cp:revision>3</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">${persona.created}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${persona.modified}</dcterms:modified></cp:coreProperties>`;
}

/** docProps/app.xml: the application that claims to have written it, and the company. */
export function appProperties(application: string, persona: Persona): string {
  return `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>${application}</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><Company>${xmlText(persona.company)}</Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0000</AppVersion></Properties>`;
}

/** _rels/.rels of an Office package whose main part (the officeDocument relationship) is `main`. */
export function packageRelationships(main: string): string {
  return `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${main}"/></Relationships>`;
}

/** The picture part both Word and Excel drawings use: a 1-pixel picture whose blip is linked, not embedded. */
export function linkedPicture(id: number, relationshipId: string, prefix: 'pic' | 'xdr'): string {
  const ns = prefix === 'pic' ? ` xmlns:pic="${NS.pic}"` : '';
  return `<${prefix}:pic${ns}><${prefix}:nvPicPr><${prefix}:cNvPr id="${id}" name="Picture ${id}"/><${prefix}:cNvPicPr><a:picLocks noChangeAspect="1"/></${prefix}:cNvPicPr></${prefix}:nvPicPr><${prefix}:blipFill><a:blip r:link="${relationshipId}"/><a:stretch><a:fillRect/></a:stretch></${prefix}:blipFill><${prefix}:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${PIXEL_EMU}" cy="${PIXEL_EMU}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></${prefix}:spPr></${prefix}:pic>`;
}

/** Largest template accepted: its base64 must fit the API's 1 MiB body with room to spare. */
export const MAX_TEMPLATE_BYTES = 640 * 1024;

/** The template option's bytes, when one was given. */
export function templateOption(options: Record<string, unknown> | undefined, what: string): Buffer | undefined {
  const value = options?.template;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(value)) {
    throw new ValidationError(`options.template must be a ${what} file's bytes in base64`, { field: 'options.template' });
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > MAX_TEMPLATE_BYTES) {
    throw new ValidationError(`options.template is ${bytes.length} bytes; the limit is ${MAX_TEMPLATE_BYTES}`, { field: 'options.template' });
  }
  return bytes;
}
