/**
 * Keeps `fetch_url` off the user's own network: loopback, private, link-local (cloud
 * metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved addresses are
 * refused unless config allows them. The check runs on every address a name resolves to,
 * inside the connection's own DNS lookup, so a name cannot resolve to one address when
 * checked and another when connected (DNS rebinding).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ToolError } from './types.js';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** True for an address `fetch_url` must not reach without `allow_private_network`. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const lower = address.toLowerCase();
    // IPv4-mapped and -compatible IPv6 (::ffff:127.0.0.1): judge the IPv4 address inside.
    const mapped = /^(?:0*:)*(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower.replace(/^::/, ''));
    if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
    if (hex?.[1] && hex[2]) {
      const n = (parseInt(hex[1], 16) << 16) | parseInt(hex[2], 16);
      return blocked.check([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), 'ipv4');
    }
    return blocked.check(address, 'ipv6');
  }
  return true;
}

export interface NetPolicy {
  allowPrivate: boolean;
  /** Host names exempt from the check (lower case). */
  allowHosts: readonly string[];
  /** DNS lookup (tests pass one that resolves names of their own). */
  lookup?: LookupFunction | undefined;
}

/** Refuse a URL's host when it is a literal private address. Names are checked at lookup. */
export function checkHost(host: string, policy: NetPolicy): void {
  const bare = host.replace(/^\[|\]$/g, '');
  if (policy.allowPrivate || policy.allowHosts.includes(bare.toLowerCase())) return;
  if (isIP(bare) && isPrivateAddress(bare)) {
    throw new ToolError(
      'blocked',
      `${bare} is a private, loopback or link-local address (tools.allow_private_network is off)`,
    );
  }
  if (bare.toLowerCase() === 'localhost' || bare.toLowerCase().endsWith('.localhost')) {
    throw new ToolError('blocked', `${bare} is the local machine (tools.allow_private_network is off)`);
  }
}

/** A DNS lookup for http(s).request that refuses names resolving to private addresses. */
export function guardedLookup(host: string, policy: NetPolicy): LookupFunction {
  const base = policy.lookup ?? (dnsLookup as LookupFunction);
  const exempt = policy.allowPrivate || policy.allowHosts.includes(host.toLowerCase());
  return (hostname, options, callback) => {
    base(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list: LookupAddress[] = Array.isArray(addresses)
        ? addresses
        : [{ address: addresses as unknown as string, family: 4 }];
      const bad = exempt ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) {
        const e = new ToolError(
          'blocked',
          `${hostname} resolves to ${bad.address}, a private, loopback or link-local address (tools.allow_private_network is off)`,
        );
        return callback(e as unknown as NodeJS.ErrnoException, '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname}: no address`) as NodeJS.ErrnoException, '', 4);
      callback(null, first.address, first.family);
    });
  };
}
