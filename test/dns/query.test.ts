import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { parseQuery } from '../../src/server/dns/query.js';

function query(name: string, extra: Partial<dnsPacket.Packet> = {}): Buffer {
  return dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }], ...extra });
}

describe('query parsing', () => {
  it('reads the id, the question with its letter case, and the RD flag', () => {
    const parsed = parseQuery(query('AbC.Canary.Example.Test'));
    assert.equal(parsed.outcome, 'query');
    if (parsed.outcome !== 'query') return;
    assert.equal(parsed.query.id, 4242);
    assert.equal(parsed.query.recursionDesired, true);
    assert.deepEqual(parsed.query.question, { name: 'AbC.Canary.Example.Test', type: 'A', class: 'IN' });
    assert.equal(parsed.query.edns, null);
  });

  it('reads EDNS: payload size, version and the client subnet a resolver passes on', () => {
    const packet = query('a.canary.example.test', {
      additionals: [
        {
          name: '.',
          type: 'OPT',
          udpPayloadSize: 4096,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '198.51.100.0' }],
        },
      ],
    });
    const parsed = parseQuery(packet);
    assert.equal(parsed.outcome, 'query');
    if (parsed.outcome === 'query') assert.deepEqual(parsed.query.edns, { udpPayloadSize: 4096, version: 0, clientSubnet: '198.51.100.0/24' });
  });

  it('drops what is not a query: short packets, responses, undecodable bytes', () => {
    assert.deepEqual(parseQuery(Buffer.alloc(5)), { outcome: 'drop' });
    assert.deepEqual(parseQuery(dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'a.test', type: 'A' }] })), { outcome: 'drop' });
    const truncated = query('a.canary.example.test').subarray(0, 20);
    assert.deepEqual(parseQuery(truncated), { outcome: 'drop' });
  });

  it('answers NOTIMP to other opcodes and FORMERR to queries without exactly one question', () => {
    const notify = query('a.test');
    notify.writeUInt16BE(4 << 11, 2);
    assert.deepEqual(parseQuery(notify), { outcome: 'refuse', id: 4242, opcode: 4, rcode: 'NOTIMP' });
    const none = dnsPacket.encode({ type: 'query', id: 7, questions: [] });
    assert.deepEqual(parseQuery(none), { outcome: 'refuse', id: 7, opcode: 0, rcode: 'FORMERR' });
    const two = dnsPacket.encode({
      type: 'query',
      id: 8,
      questions: [
        { name: 'a.test', type: 'A' },
        { name: 'b.test', type: 'A' },
      ],
    });
    assert.deepEqual(parseQuery(two), { outcome: 'refuse', id: 8, opcode: 0, rcode: 'FORMERR' });
  });

  it('refuses a question whose name would not be echoed byte for byte', () => {
    // One label "a.b" (a dot inside a label) reads back as two labels.
    const dotted = Buffer.concat([
      Buffer.from([0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([3, 0x61, 0x2e, 0x62, 4]),
      Buffer.from('test'),
      Buffer.from([0, 0, 1, 0, 1]),
    ]);
    assert.deepEqual(parseQuery(dotted), { outcome: 'refuse', id: 9, opcode: 0, rcode: 'FORMERR' });
    const latin1 = Buffer.concat([
      Buffer.from([0, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([1, 0xe9, 4]),
      Buffer.from('test'),
      Buffer.from([0, 0, 1, 0, 1]),
    ]);
    assert.deepEqual(parseQuery(latin1), { outcome: 'refuse', id: 10, opcode: 0, rcode: 'FORMERR' });
  });

  it('drops a compression loop instead of following it', () => {
    const loop = Buffer.concat([Buffer.from([0, 11, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    assert.deepEqual(parseQuery(loop), { outcome: 'drop' });
  });
});
