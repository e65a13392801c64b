import { type BlockList, isIP } from 'node:net';

/** An IP address or CIDR range, parsed: what BlockList needs to hold it. */
export interface AddressRange {
  address: string;
  type: 'ipv4' | 'ipv6';
  /** Prefix length; absent for a single address. */
  bits?: number;
}

/** Reads "192.0.2.1", "192.0.2.0/24" or "2001:db8::/32"; undefined when it is none of them. */
export function parseAddressRange(entry: string): AddressRange | undefined {
  const [address, prefix, extra] = entry.trim().split('/');
  const family = isIP(address ?? '');
  if (!address || family === 0 || extra !== undefined) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) return { address, type };
  const bits = Number(prefix);
  if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return undefined;
  return { address, type, bits };
}

export function addRange(list: BlockList, range: AddressRange): void {
  if (range.bits === undefined) list.addAddress(range.address, range.type);
  else list.addSubnet(range.address, range.bits, range.type);
}

/** Whether the address (any text) is in the list; text that is no address is in no list. */
export function inRanges(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
