import type { Kysely, Selectable } from 'kysely';
import { isoNow } from '../../core/time.js';
import type { Database, TlsCertificatesTable } from '../schema.js';

export interface StoredCertificate {
  id: string;
  domains: string[];
  certPem: string;
  keyPem: string;
  notBefore: string;
  notAfter: string;
  updatedAt: string;
}

export interface AcmeAccount {
  directory: string;
  email: string;
  keyPem: string;
  url: string | null;
}

function certificateFromRow(row: Selectable<TlsCertificatesTable>): StoredCertificate {
  return {
    id: row.id,
    domains: JSON.parse(row.domains) as string[],
    certPem: row.cert_pem,
    keyPem: row.key_pem,
    notBefore: row.not_before,
    notAfter: row.not_after,
    updatedAt: row.updated_at,
  };
}

/** ACME certificates, accounts, challenge answers and the ordering lease. */
export class TlsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findCertificate(id: string): Promise<StoredCertificate | undefined> {
    const row = await this.db.selectFrom('tls_certificates').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? certificateFromRow(row) : undefined;
  }

  /** Every certificate kept, newest first (for `doctor`). */
  async listCertificates(): Promise<StoredCertificate[]> {
    const rows = await this.db.selectFrom('tls_certificates').selectAll().orderBy('updated_at', 'desc').execute();
    return rows.map(certificateFromRow);
  }

  async saveCertificate(cert: Omit<StoredCertificate, 'updatedAt'>): Promise<void> {
    const row = {
      id: cert.id,
      domains: JSON.stringify(cert.domains),
      cert_pem: cert.certPem,
      key_pem: cert.keyPem,
      not_before: cert.notBefore,
      not_after: cert.notAfter,
      updated_at: isoNow(),
    };
    await this.db
      .insertInto('tls_certificates')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined }))
      .execute();
  }

  async findAccount(directory: string): Promise<AcmeAccount | undefined> {
    const row = await this.db.selectFrom('acme_accounts').selectAll().where('directory', '=', directory).executeTakeFirst();
    return row ? { directory: row.directory, email: row.email, keyPem: row.key_pem, url: row.url } : undefined;
  }

  /** Keeps the first account saved for a directory: a replica that lost the race uses the winner's. */
  async saveAccount(account: AcmeAccount): Promise<AcmeAccount> {
    await this.db
      .insertInto('acme_accounts')
      .values({ directory: account.directory, email: account.email, key_pem: account.keyPem, url: account.url, created_at: isoNow() })
      .onConflict((oc) => oc.column('directory').doNothing())
      .execute();
    return (await this.findAccount(account.directory))!;
  }

  async setAccountUrl(directory: string, url: string): Promise<void> {
    await this.db.updateTable('acme_accounts').set({ url }).where('directory', '=', directory).execute();
  }

  async putChallenge(name: string, value: string, expiresAt: string): Promise<void> {
    await this.db
      .insertInto('acme_challenges')
      .values({ name, value, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['name', 'value']).doUpdateSet({ expires_at: expiresAt }))
      .execute();
  }

  async removeChallenge(name: string, value: string): Promise<void> {
    await this.db.deleteFrom('acme_challenges').where('name', '=', name).where('value', '=', value).execute();
  }

  /** The answers for a challenge name that have not expired. */
  async challengeValues(name: string): Promise<string[]> {
    const rows = await this.db.selectFrom('acme_challenges').select('value').where('name', '=', name).where('expires_at', '>', isoNow()).execute();
    return rows.map((row) => row.value);
  }

  /**
   * Takes the named lease for `holder` until `expiresAt` when it is free, lapsed or already the
   * holder's; answers whether the holder has it now. One statement, so two replicas asking at
   * once cannot both get it.
   */
  async takeLease(name: string, holder: string, expiresAt: string): Promise<boolean> {
    const now = isoNow();
    await this.db
      .insertInto('acme_leases')
      .values({ name, holder, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, expires_at: expiresAt })
          .where((eb) => eb.or([eb('acme_leases.expires_at', '<=', now), eb('acme_leases.holder', '=', holder)])),
      )
      .execute();
    const row = await this.db.selectFrom('acme_leases').select('holder').where('name', '=', name).executeTakeFirst();
    return row?.holder === holder;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('acme_leases').where('name', '=', name).where('holder', '=', holder).execute();
  }
}
