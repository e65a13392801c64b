import { isIP } from 'node:net';

/** Bits of an address that name one client network: an IPv4 /24, an IPv6 /56 (a typical site). */
export const SOURCE_PREFIX_BITS = { ipv4: 24, ipv6: 56 } as const;

/** The sixteen-bit groups of an IPv6 address, with `::` expanded and a dotted IPv4 tail split. */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!;
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  if (rest === undefined) return front;
  const back = parse(rest);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The client network an address belongs to, as a map key: one client that owns many addresses
 * (an IPv6 site, a small IPv4 block) counts once against per-source limits. Anything that is not
 * an IP address is its own key.
 */
export function sourcePrefix(address: string): string {
  const family = isIP(address);
  if (family === 4) return `${address.slice(0, address.lastIndexOf('.'))}.0/${SOURCE_PREFIX_BITS.ipv4}`;
  if (family !== 6) return address;
  const groups = ipv6Groups(address);
  return `${groups
    .slice(0, 3)
    .map((g) => g.toString(16))
    .join(':')}:${(groups[3]! & 0xff00).toString(16)}::/${SOURCE_PREFIX_BITS.ipv6}`;
}
