import type { Hit, HitDescription } from '../core/model/hit.js';
import type { Token } from '../core/model/token.js';

/** Where the server can be reached from the outside, for building artifacts. */
export interface ArtifactContext {
  /** Base URL of trigger paths, without a trailing slash (e.g. https://t.example.com). */
  publicUrl: string;
  /** Zone the DNS server is authoritative for, when it runs. */
  dnsZone?: string;
  /** Host name credential artifacts point clients at (--public-host); the public URL's host when omitted. */
  publicHost?: string;
  /** Ports of the credential listeners that run (SSH, MySQL, SMTP, WireGuard), as clients reach them. */
  listeners?: Partial<Record<CredentialListener, number>>;
  /** Domain the SMTP listener takes mail for (email tokens' addresses). */
  mailDomain?: string;
  /** The WireGuard listener's static public key (base64), the peer every wireguard config names. */
  wireguardPublicKey?: string;
}

/** The trigger-plane listeners a client is pointed at by a credential, each off unless its flag is given. */
export type CredentialListener = 'ssh' | 'mysql' | 'smtp' | 'wireguard';

/** Options for creating a token, already checked for shape by the API layer. */
export interface TokenOptions {
  memo: string;
  redirect?: string;
  /** Kind-specific options (e.g. a decoy's path); each kind validates its own. */
  options?: Record<string, unknown>;
}

/** What a token is handed out as. Each kind fills what makes sense for it. */
export interface Artifact {
  /** A URL that fires the token when fetched. */
  url?: string;
  /** A DNS name that fires the token when resolved. */
  hostname?: string;
  /** A mail address that fires the token when mail reaches it. */
  address?: string;
  /** A file that fires the token when used (credentials, config, a document). */
  file?: ArtifactFile;
  /** Extra files that belong with the artifact (e.g. AWS config next to credentials). */
  extraFiles?: ArtifactFile[];
  /** How to use it, one line for humans. */
  usage?: string;
}

/** One file of an artifact. Binary files (documents, images) carry their bytes as base64. */
export interface ArtifactFile {
  name: string;
  content: string;
  mode?: number;
  /** Set for binary content: `content` is the bytes in base64. Absent: UTF-8 text. */
  encoding?: 'base64';
}

/** What a request to a trigger URL looked like, for kinds that answer it themselves. */
export interface TriggerRequest {
  method: string;
  /** Path and query as sent, undecoded. */
  path: string;
  query: string;
}

/** A kind's own answer to a request on its trigger URL, sent instead of the web bug's GIF. */
export interface TriggerAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** One kind-specific option (a key of TokenOptions.options), described so that forms such as the
 * dashboard's can ask for it without knowing the kind. */
export interface TokenOptionField {
  name: string;
  label: string;
  /** `file`: the form reads a file and sends its bytes as base64. */
  type: 'text' | 'multiline' | 'number' | 'boolean' | 'select' | 'file';
  required?: boolean;
  /** One line shown under the field. */
  help?: string;
  placeholder?: string;
  /** For type select: the allowed values. */
  choices?: { value: string; label: string }[];
}

/**
 * One kind of canary token: how it is created, what it is handed out as, and how its hits read.
 * Everything a kind is lives behind this interface; registering it (registry.ts) is all the API,
 * the store, the alerts and the dashboard need to handle it.
 */
export interface TokenKind {
  kind: string;
  /** One line for --help and the dashboard. */
  title: string;
  /** True when a hit is answered with the token's redirect, so forms offer that field. */
  acceptsRedirect?: boolean;
  /** The kind-specific options its create form asks for; none when omitted. */
  optionFields?: TokenOptionField[];
  /** Validates kind-specific options and returns the config to store. */
  prepare(id: string, input: TokenOptions, context: ArtifactContext): Record<string, unknown>;
  /** Builds the artifact from the stored token (deterministic: same token, same artifact). */
  artifact(token: Token, context: ArtifactContext): Artifact;
  /**
   * How one of its hits reads: the summary line (hit lists, the alert's sentence) and the facts
   * (alerts, the dashboard's detail view). Omitted: described by how the hit arrived
   * (tokens/hits/describe.ts), which is what most kinds want.
   */
  describeHit?(hit: Hit): HitDescription;
  /**
   * The answer to a request naming this token on the trigger listener, when the kind has its own
   * (a page, the user's image); undefined for the usual one (redirect or GIF). It must depend only
   * on the stored token and the request, never on whether the token is enabled, so a disabled
   * token answers as it did while live.
   */
  answerHttp?(token: Token, request: TriggerRequest): TriggerAnswer | undefined;
  /**
   * Keys that name the token to a listener that never sees its id (an SSH public key's
   * fingerprint, a WireGuard public key), as "<scheme>:<key>"; stored with the token.
   */
  lookupKeys?(config: Record<string, unknown>): string[];
}
