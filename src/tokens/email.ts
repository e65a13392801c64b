import { isIP } from 'node:net';
import { isTokenIdShape } from '../core/ids.js';
import { ValidationError } from '../core/errors.js';
import { pick } from './decoy-secret.js';
import type { TokenKind } from './kind.js';
import { listenerEndpoint } from './listener-endpoint.js';
import { configString, stringOption } from './options.js';

const LOCAL_PARTS = ['accounts', 'billing', 'it-support', 'payroll', 'finance', 'helpdesk', 'invoices', 'ops', 'security', 'backup-reports'];

/** The token id an address's local part carries (`<something>.<id>`), in any letter case. */
export function tokenIdOfAddress(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  const local = (at < 0 ? address : address.slice(0, at)).toLowerCase();
  return local.split(/[.+_-]/).find((piece) => isTokenIdShape(piece));
}

/** An address that alerts when mail reaches it: `<something>.<id>@<mail domain>`, taken by the SMTP listener. */
export const emailTokenKind: TokenKind = {
  kind: 'email',
  title: 'Email address: an address that alerts, with sender, subject and attachments, when mail is sent to it',
  optionFields: [{ name: 'local', label: 'Name before the id', type: 'text', placeholder: 'payroll', help: 'The address reads <name>.<id>@<mail domain>.' }],
  prepare(id, input, context) {
    listenerEndpoint(context, 'smtp', 'email');
    // An address at an IP literal (the public host when nothing better is set) is not one mail is sent to.
    if (!context.mailDomain || isIP(context.mailDomain)) {
      throw new ValidationError('this server has no mail domain: give --mail-domain (or --dns-zone) with --smtp-listen', { field: 'kind' });
    }
    const local = stringOption(input, 'local', /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, 'lower-case letters, digits and "-"') ?? pick(LOCAL_PARTS);
    // Kept with the token, so its address never changes, even if the server's mail domain does.
    return { address: `${local}.${id}@${context.mailDomain}` };
  },
  artifact(token) {
    const address = configString(token.config, 'address', '');
    return {
      address,
      usage: `Put ${address} where only an intruder would find it (a contact list, a CRM export, a config file); mail sent to it fires the token.`,
    };
  },
};
