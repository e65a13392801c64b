import type { Artifact, ArtifactContext, TokenKind, TokenOptionField, TokenOptions } from '../kind.js';
import type { Hit, HitDescription } from '../../core/model/hit.js';
import type { Token } from '../../core/model/token.js';
import { configString } from '../options.js';
import { dressedUrl, newDressing } from '../http.js';
import { newPersona, type Persona, type TITLES } from './persona.js';

/**
 * What document kinds keep in a token's config: the trigger URL's dressing, the persona the
 * document claims, and the document itself, built once when the token is made (a template can be
 * large, and the same token must always hand out the same bytes).
 */
export interface StoredDocument {
  leading: string;
  trailing: string;
  /** The trigger URL as written into the document (the public URL may change later). */
  url: string;
  persona: Persona;
  /** The document's bytes, base64. */
  document: string;
  fileName: string;
}

/** A file name as people save them: the title, with characters file systems dislike dropped. */
export function fileNameFor(title: string, extension: string): string {
  return `${
    title
      .replace(/[^A-Za-z0-9 ._-]+/g, '')
      .trim()
      .replace(/\s+/g, ' ') || 'Document'
  }.${extension}`;
}

/** Builds the stored document of a new token with `build`, given its trigger URL and persona. */
export function prepareDocument(
  id: string,
  context: ArtifactContext,
  what: keyof typeof TITLES,
  extension: string,
  build: (url: string, persona: Persona) => Buffer,
): StoredDocument {
  const dressing = newDressing();
  const persona = newPersona(what);
  const url = dressedUrl({ id, config: dressing }, context);
  return { ...dressing, url, persona, document: build(url, persona).toString('base64'), fileName: fileNameFor(persona.title, extension) };
}

/** The artifact of a document token: the stored document, and the URL it fetches. */
export function documentArtifact(token: Token, context: ArtifactContext, usage: string): Artifact {
  return {
    url: configString(token.config, 'url', dressedUrl(token, context)),
    file: { name: configString(token.config, 'fileName', 'Document'), content: configString(token.config, 'document', ''), mode: 0o644, encoding: 'base64' },
    usage,
  };
}

/** What differs between document kinds; documentTokenKind() makes the kind. */
export interface DocumentKindSpec {
  kind: string;
  title: string;
  /** Which titles the persona picks from. */
  what: keyof typeof TITLES;
  extension: string;
  optionFields?: TokenOptionField[];
  usage: string;
  build(url: string, persona: Persona, input: TokenOptions, context: ArtifactContext, id: string): Buffer;
  describeHit?(hit: Hit): HitDescription;
}

/** A kind handed out as a document built once at creation, which fetches the token's URL when opened. */
export function documentTokenKind(spec: DocumentKindSpec): TokenKind {
  const kind: TokenKind = {
    kind: spec.kind,
    title: spec.title,
    prepare: (id, input, context) => ({
      ...prepareDocument(id, context, spec.what, spec.extension, (url, persona) => spec.build(url, persona, input, context, id)),
    }),
    artifact: (token, context) => documentArtifact(token, context, spec.usage),
  };
  if (spec.optionFields) kind.optionFields = spec.optionFields;
  if (spec.describeHit) kind.describeHit = spec.describeHit;
  return kind;
}
