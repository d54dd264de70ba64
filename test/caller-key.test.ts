import fc from 'fast-check';
import { callerKey } from '../src/server/rate-limit/caller-rate-limiter';

/** Eight 16-bit groups, written out in full. */
const ipv6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
const text = (groups: number[]) => groups.map((group) => group.toString(16)).join(':');
/** The first 56 bits: three groups and the high byte of the fourth. */
const prefixOf = (groups: number[]) => [...groups.slice(0, 3), groups[3]! >> 8];
/** Two addresses, half the time with `a`'s /56 and `b`'s other 72 bits. */
const pairs = fc
  .tuple(ipv6, ipv6, fc.boolean())
  .map(([a, b, share]) => (share ? [a, [...a.slice(0, 3), (a[3]! & 0xff00) | (b[3]! & 0xff), ...b.slice(4)]] : [a, b]));

describe('callerKey: whom a request is counted against', () => {
  test('a key by its id, whatever address it comes from', () => {
    expect(callerKey({ keyId: '42' })).toBe('key:42');
  });

  test('IPv6 addresses count as one caller exactly when they share their /56', () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        const same = callerKey({ address: text(a) }) === callerKey({ address: text(b) });
        expect(same).toBe(prefixOf(a).join() === prefixOf(b).join());
      }),
    );
  });

  test('an IPv4-mapped IPv6 address counts as its IPv4 address; IPv4 addresses one by one', () => {
    expect(callerKey({ address: '::ffff:192.0.2.7' })).toBe('address:192.0.2.7');
    expect(callerKey({ address: '192.0.2.7' })).toBe('address:192.0.2.7');
    expect(callerKey({ address: '192.0.2.8' })).not.toBe(callerKey({ address: '192.0.2.7' }));
  });
});
