import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMmdb } from './mmdb-writer.js';

/** The listed network in the test databases, and what they say about it. */
export const LISTED = {
  network: '203.0.113.0/24',
  address: '203.0.113.77',
  country: 'NZ',
  countryName: 'New Zealand',
  city: 'Wellington',
  asn: 64500,
  asOrg: 'Example Transit Ltd',
} as const;

/** A second network, in another AS, for rules by ASN. */
export const OTHER = { network: '192.0.2.0/24', address: '192.0.2.44', asn: 64501, asOrg: 'Scanner Hosting' } as const;

export interface GeoDatabases {
  geoipDb: string;
  asnDb: string;
  remove(): void;
}

/** A city and an ASN database in MaxMind format, written for the test into a fresh directory. */
export function writeGeoDatabases(): GeoDatabases {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-mmdb-'));
  const geoipDb = join(dir, 'city.mmdb');
  const asnDb = join(dir, 'asn.mmdb');
  writeFileSync(
    geoipDb,
    writeMmdb('GeoLite2-City', {
      [LISTED.network]: {
        country: { iso_code: LISTED.country, names: { en: LISTED.countryName, de: 'Neuseeland' } },
        city: { names: { en: LISTED.city } },
      },
    }),
  );
  writeFileSync(
    asnDb,
    writeMmdb('GeoLite2-ASN', {
      [LISTED.network]: { autonomous_system_number: LISTED.asn, autonomous_system_organization: LISTED.asOrg },
      [OTHER.network]: { autonomous_system_number: OTHER.asn, autonomous_system_organization: OTHER.asOrg },
    }),
  );
  return { geoipDb, asnDb, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
