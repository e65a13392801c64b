import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Reader, type AsnResponse, type CityResponse } from 'maxmind';
import { ConfigError } from '../../core/errors.js';
import type { Enrichment } from '../../core/model/enrichment.js';
import type { ReverseDns } from './reverse-dns.js';

export interface EnrichmentOptions {
  /** A MaxMind-format country or city database (GeoLite2-City, GeoIP2-Country, DB-IP's ...). */
  geoipDb?: string;
  /** A MaxMind-format ASN database (GeoLite2-ASN ...). */
  asnDb?: string;
}

/** Everything the server's enrichment is set up with. */
export interface EnrichmentSettings extends EnrichmentOptions {
  /** Look up host names of sources (PTR). */
  reverseDns?: boolean;
  /** Resolvers to ask for them; the host's own when empty. */
  reverseDnsServers?: string[];
}

/** Decoded records kept per database: many networks share a record, and decoding one is most of a lookup. */
const MAX_CACHED_RECORDS = 10_000;

/** The reader's record cache: a map that forgets its oldest entry when full. The reader never changes what it gets back, and neither do we. */
function recordCache(): { get(key: number): unknown; set(key: number, value: unknown): void } {
  const entries = new Map<number, unknown>();
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      if (entries.size >= MAX_CACHED_RECORDS) entries.delete(entries.keys().next().value!);
      entries.set(key, value);
    },
  };
}

/** Opens a database file, or says which flag's file cannot be used and why. */
function openDatabase<T extends CityResponse | AsnResponse>(path: string, flag: string): Reader<T> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { path });
  }
  try {
    return new Reader<T>(bytes, { cache: recordCache() });
  } catch (error) {
    throw new ConfigError(`${flag} ${path}: not a MaxMind DB file (${(error as Error).message})`, { path });
  }
}

/** The English name, else any: databases carry names in several languages. */
function name(names: Record<string, string> | undefined): string | undefined {
  return names ? (names.en ?? Object.values(names)[0]) : undefined;
}

/**
 * What the server's own databases say about a source address: country and city, autonomous
 * system, and the host name reverse DNS gave it. Files are read into memory at start and looked up
 * there; nothing is sent anywhere (reverse DNS asks the host's own resolver, and only when enabled).
 */
export class SourceEnricher {
  private readonly geo?: Reader<CityResponse>;
  private readonly asn?: Reader<AsnResponse>;

  constructor(
    options: EnrichmentOptions,
    private readonly reverse?: ReverseDns,
  ) {
    if (options.geoipDb) this.geo = openDatabase<CityResponse>(options.geoipDb, '--geoip-db');
    if (options.asnDb) this.asn = openDatabase<AsnResponse>(options.asnDb, '--asn-db');
  }

  get enabled(): boolean {
    return this.geo !== undefined || this.asn !== undefined || this.reverse !== undefined;
  }

  /**
   * What is known of the address now, from memory; null when nothing is (or it is no address).
   * `hostnameLater` is set when a reverse lookup was started for it: the name, once it is in.
   */
  lookup(address: string): { enrichment: Enrichment | null; hostnameLater?: Promise<string | null> } {
    if (isIP(address) === 0) return { enrichment: null };
    const found: Enrichment = {};
    const geo = this.geo?.get(address);
    if (geo) {
      const country = geo.country ?? geo.registered_country;
      // Two letters or nothing: the code is a filter column, and a file may hold anything.
      if (country?.iso_code && /^[A-Za-z]{2}$/.test(country.iso_code)) found.country = country.iso_code.toUpperCase();
      const countryName = name(country?.names as Record<string, string> | undefined);
      if (countryName) found.countryName = countryName;
      const city = name(geo.city?.names as Record<string, string> | undefined);
      if (city) found.city = city;
    }
    const asn = this.asn?.get(address);
    if (asn) {
      if (typeof asn.autonomous_system_number === 'number') found.asn = asn.autonomous_system_number;
      if (asn.autonomous_system_organization) found.asOrg = asn.autonomous_system_organization;
    }
    const reverse = this.reverse?.lookup(address);
    if (reverse?.hostname) found.hostname = reverse.hostname;
    return { enrichment: Object.keys(found).length > 0 ? found : null, hostnameLater: reverse?.started };
  }
}
