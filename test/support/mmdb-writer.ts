import { isIP } from 'node:net';

/**
 * Writes MaxMind DB files (format 2.0, https://maxmind.github.io/MaxMind-DB/) for tests, so the
 * enrichment is tested against real files read by the real reader and not against a stand-in.
 * An IPv6 tree with 32-bit records; IPv4 networks sit under ::/96, where readers look for them.
 * Values: strings, non-negative whole numbers (uint32), other numbers (double), booleans, arrays
 * and maps. Networks must not overlap.
 */
export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);

function control(type: number, size: number): Buffer {
  const head: number[] = [];
  let sizeBits: number;
  let extra: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 29 + 256) {
    sizeBits = 29;
    extra = [size - 29];
  } else if (size < 285 + 65_536) {
    sizeBits = 30;
    extra = [(size - 285) >> 8, (size - 285) & 0xff];
  } else {
    sizeBits = 31;
    const n = size - 65_821;
    extra = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  }
  if (type <= 7) head.push((type << 5) | sizeBits);
  else head.push(sizeBits, type - 7);
  return Buffer.from([...head, ...extra]);
}

function uintBytes(value: number): Buffer {
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from(bytes);
}

export function encodeValue(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, text.length), text]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) {
      const bytes = uintBytes(value);
      return Buffer.concat([control(6, bytes.length), bytes]);
    }
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value);
    return Buffer.concat([control(3, 8), bytes]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encodeValue)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([key, v]) => [encodeValue(key), encodeValue(v)])]);
}

interface TreeNode {
  children: [TreeNode | number | null, TreeNode | number | null];
}

/** The network's 128 bits (an IPv4 network under ::/96) and its prefix length in that tree. */
function networkBits(cidr: string): { bits: number[]; length: number } {
  const [address, prefix] = cidr.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || prefix === undefined) throw new Error(`not a CIDR: ${cidr}`);
  const bytes: number[] = [];
  if (family === 4) {
    bytes.push(...Array<number>(12).fill(0), ...address!.split('.').map(Number));
  } else {
    const halves = address!.split('::');
    const head = halves[0] ? halves[0].split(':') : [];
    const tail = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
    const groups = halves.length > 1 ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
    for (const group of groups) bytes.push(parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff);
  }
  const bits = bytes.flatMap((byte) => [7, 6, 5, 4, 3, 2, 1, 0].map((shift) => (byte >> shift) & 1));
  return { bits, length: Number(prefix) + (family === 4 ? 96 : 0) };
}

/** A whole .mmdb file: networks → records, with the metadata readers need. */
export function writeMmdb(databaseType: string, networks: Record<string, MmdbValue>): Buffer {
  const root: TreeNode = { children: [null, null] };
  const data: Buffer[] = [];
  let dataLength = 0;
  for (const [cidr, record] of Object.entries(networks)) {
    const encoded = encodeValue(record);
    const offset = dataLength;
    data.push(encoded);
    dataLength += encoded.length;
    const { bits, length } = networkBits(cidr);
    let node = root;
    for (let depth = 0; depth < length - 1; depth++) {
      const bit = bits[depth]!;
      let next = node.children[bit];
      if (typeof next !== 'object' || next === null) {
        next = { children: [null, null] };
        node.children[bit] = next;
      }
      node = next;
    }
    node.children[bits[length - 1]!] = offset;
  }

  const order: TreeNode[] = [];
  const index = new Map<TreeNode, number>();
  // Breadth first, root first: the order is the queue itself.
  order.push(root);
  for (let next = 0; next < order.length; next++) {
    index.set(order[next]!, next);
    for (const child of order[next]!.children) if (typeof child === 'object' && child !== null) order.push(child);
  }
  const nodeCount = order.length;
  const tree = Buffer.alloc(nodeCount * 8);
  order.forEach((node, i) => {
    node.children.forEach((child, side) => {
      const record = child === null ? nodeCount : typeof child === 'number' ? nodeCount + 16 + child : index.get(child)!;
      tree.writeUInt32BE(record, i * 8 + side * 4);
    });
  });
  const metadata = encodeValue({
    node_count: nodeCount,
    record_size: 32,
    ip_version: 6,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: Math.floor(Date.now() / 1000),
    description: { en: `${databaseType} written by a test` },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, METADATA_MARKER, metadata]);
}
