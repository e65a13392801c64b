/**
 * A CEF reader written from the format guide, independent of the writer in src/alerts/cef.ts:
 * the header's seven fields (with \| and \\ escapes) and the extension's key=value pairs, where
 * a value runs until the space before the next unescaped `=`'s key and \=, \\, \n, \r unescape.
 */
export interface CefRecord {
  version: string;
  vendor: string;
  product: string;
  deviceVersion: string;
  eventClassId: string;
  name: string;
  severity: string;
  extension: Map<string, string>;
}

function unescapeValue(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

export function parseCef(line: string): CefRecord {
  const header: string[] = [];
  let field = '';
  let i = 0;
  for (; i < line.length && header.length < 7; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      field += line[++i];
    } else if (c === '|') {
      header.push(field);
      field = '';
    } else field += c;
  }
  if (header.length < 7) throw new Error(`not a CEF record: ${line.slice(0, 80)}`);
  const rest = line.slice(i);
  // Positions of the unescaped equals signs: each ends a key.
  const equals: number[] = [];
  for (let j = 0; j < rest.length; j++) {
    if (rest[j] === '\\') j++;
    else if (rest[j] === '=') equals.push(j);
  }
  const extension = new Map<string, string>();
  const keyStart = (eq: number) => rest.lastIndexOf(' ', eq) + 1;
  equals.forEach((eq, n) => {
    const key = rest.slice(keyStart(eq), eq);
    const end = n + 1 < equals.length ? keyStart(equals[n + 1]!) - 1 : rest.length;
    extension.set(key, unescapeValue(rest.slice(eq + 1, end)));
  });
  const [version, vendor, product, deviceVersion, eventClassId, name, severity] = header as [string, string, string, string, string, string, string];
  return { version, vendor, product, deviceVersion, eventClassId, name, severity, extension };
}
