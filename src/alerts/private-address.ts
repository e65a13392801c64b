import { isIP } from 'node:net';

/**
 * Which addresses an alert channel must not reach unless the operator allows it: anything that is
 * not a public unicast address, so a channel URL cannot be turned against the server's own
 * network (loopback services, the cloud metadata endpoint, internal hosts).
 */

type Range = readonly [base: bigint, bits: number, what: string];

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

/** Expects an address isIP() accepts as version 6; a zone (%eth0) is ignored. */
function ipv6ToBigInt(address: string): bigint {
  let text = address.split('%')[0]!;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToBigInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length > 1 ? [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest] : head;
  return groups.reduce((n, group) => (n << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function v4(cidr: string, what: string): Range {
  const [base, bits] = cidr.split('/');
  return [ipv4ToBigInt(base!), Number(bits), what];
}

function v6(cidr: string, what: string): Range {
  const [base, bits] = cidr.split('/');
  return [ipv6ToBigInt(base!), Number(bits), what];
}

// Most specific first: the metadata addresses sit inside link-local and unique-local ranges.
const IPV4: Range[] = [
  v4('169.254.169.254/32', 'cloud metadata'),
  v4('0.0.0.0/8', 'unspecified'),
  v4('127.0.0.0/8', 'loopback'),
  v4('10.0.0.0/8', 'private (RFC 1918)'),
  v4('172.16.0.0/12', 'private (RFC 1918)'),
  v4('192.168.0.0/16', 'private (RFC 1918)'),
  v4('100.64.0.0/10', 'shared (CGNAT)'),
  v4('169.254.0.0/16', 'link-local'),
  v4('192.0.0.0/24', 'IETF protocol'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6: Range[] = [
  v6('fd00:ec2::254/128', 'cloud metadata'),
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('fc00::/7', 'unique local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local'),
  v6('ff00::/8', 'multicast'),
];

// IPv6 forms that carry an IPv4 address the packets end up at: [prefix, bits, shift of the IPv4 part].
const EMBEDDED: (readonly [bigint, number, bigint, string])[] = [
  [ipv6ToBigInt('::ffff:0:0'), 96, 0n, 'IPv4-mapped'],
  [ipv6ToBigInt('64:ff9b::'), 96, 0n, 'NAT64'],
  [ipv6ToBigInt('::'), 96, 0n, 'IPv4-compatible'],
  [ipv6ToBigInt('2002::'), 16, 80n, '6to4'],
];

function inRange(value: bigint, width: number, base: bigint, bits: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === base >> shift;
}

function match(value: bigint, width: number, ranges: Range[]): string | undefined {
  return ranges.find(([base, bits]) => inRange(value, width, base, bits))?.[2];
}

/**
 * Why an address may not be a channel target ("loopback", "IPv4-mapped loopback" ...), or
 * undefined for a public address. Anything that is not an IP address at all is refused too.
 */
export function privateAddressKind(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return match(ipv4ToBigInt(address), 32, IPV4);
  if (family !== 6) return 'not an IP address';
  const value = ipv6ToBigInt(address);
  const direct = match(value, 128, IPV6);
  if (direct) return direct;
  for (const [prefix, bits, shift, form] of EMBEDDED) {
    if (!inRange(value, 128, prefix, bits)) continue;
    const kind = match((value >> shift) & 0xffffffffn, 32, IPV4);
    if (kind) return `${form} ${kind}`;
  }
  return undefined;
}
