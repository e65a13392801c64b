import { randomFrom } from './decoy-secret.js';
import { sqlDump } from './decoys/sql-dump.js';
import type { TokenKind } from './kind.js';
import { listenerEndpoint } from './listener-endpoint.js';
import { configString, stringOption } from './options.js';

const PASSWORD_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const USER = /^(repl|backup)_([a-z2-7]{26})(?:@(.{1,64}))?$/i;

/** What a MySQL user name says: the token it names, and whether a server that imported the dump sent it. */
export interface MysqlUser {
  tokenId: string | undefined;
  replica: boolean;
  serverHost: string | null;
}

/** Reads the users the dump hands out: repl_<id>@<importing host> (the replica) and backup_<id> (the client). */
export function parseMysqlUser(user: string): MysqlUser {
  const match = USER.exec(user);
  if (!match) return { tokenId: undefined, replica: false, serverHost: null };
  return { tokenId: match[2]!.toLowerCase(), replica: match[1]!.toLowerCase() === 'repl', serverHost: match[3] ?? null };
}

/**
 * A SQL dump that, imported into MySQL or MariaDB, makes that server connect to Tripline's MySQL
 * listener as a replica, its user name carrying the token id and the server's host name; its
 * header comment hands out client credentials that fire the token too.
 */
export const mysqlDumpTokenKind: TokenKind = {
  kind: 'mysql-dump',
  title: 'MySQL dump: a SQL dump that alerts when imported into MySQL or MariaDB, or when its credentials are used',
  optionFields: [{ name: 'database', label: 'Database name', type: 'text', placeholder: 'shop', help: 'The database the dump claims to be.' }],
  prepare(id, input, context) {
    const endpoint = listenerEndpoint(context, 'mysql', 'mysql-dump');
    const database = stringOption(input, 'database', /^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a database name (letters, digits, "_")') ?? 'shop';
    const clientUser = `backup_${id}`;
    const password = randomFrom(PASSWORD_CHARS, 20);
    // The rows are random, so the dump is made once and kept: the artifact never changes.
    const dump = sqlDump({ database, ...endpoint, replicaUserPrefix: `repl_${id}`, clientUser, password, at: new Date() });
    return { ...endpoint, database, clientUser, dump };
  },
  artifact(token) {
    const database = configString(token.config, 'database', 'shop');
    const clientUser = configString(token.config, 'clientUser', `backup_${token.id}`);
    return {
      file: { name: 'dump.sql', content: configString(token.config, 'dump', ''), mode: 0o600 },
      usage: `Leave dump.sql where a backup would be; importing it (mysql ${database} < dump.sql) or logging in as ${clientUser} fires the token.`,
    };
  },
};
