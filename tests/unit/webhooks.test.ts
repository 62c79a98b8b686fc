// The pure rules of portal events and webhooks: the retry budget, type filters, the feed cursor,
// and which addresses a webhook may never reach.
import { describe, expect, it } from 'vitest';
import { addressRefusal, decodeCursor, encodeCursor, endpointUrlRefusal, isPrivateAddress, retryWindowMs, typeMatches, WEBHOOK_RETRY } from '../../domain/webhooks';

const closed = { allowLoopback: false, allowPrivate: false };

describe('webhook retries', () => {
  it('keep trying a failing endpoint for at least three days before giving up, an hour apart at most', () => {
    expect(retryWindowMs(WEBHOOK_RETRY)).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(retryWindowMs(WEBHOOK_RETRY)).toBeLessThan(4 * 86_400_000);
    expect(WEBHOOK_RETRY.maximumIntervalMs).toBe(3_600_000);
  });
});

describe('event type filters', () => {
  it('match exact types and whole streams; no filter matches everything', () => {
    expect(typeMatches('hazard.CLOSED', ['hazard.CLOSED'])).toBe(true);
    expect(typeMatches('hazard.CLOSED', ['hazard.*'])).toBe(true);
    expect(typeMatches('hazard.CLOSED', ['order.*', 'hazard.OVERDUE'])).toBe(false);
    expect(typeMatches('hazardous.CLOSED', ['hazard.*'])).toBe(false);
    expect(typeMatches('case.OPENED', [])).toBe(true);
  });
});

describe('feed cursors', () => {
  it('round-trip and refuse what this API never returns', () => {
    expect(decodeCursor(encodeCursor({ xid: '812', seq: 40 }))).toEqual({ xid: '812', seq: 40 });
    expect(decodeCursor('0.0')).toEqual({ xid: '0', seq: 0 });
    for (const bad of ['', '1', '1.', '.1', '1.2.3', '-1.2', '1e3.2', '9999999999999999999.1']) expect(decodeCursor(bad), bad).toBeNull();
  });
});

describe('SSRF: where a webhook may not go', () => {
  it('refuses private, loopback, link-local, CGNAT, multicast and unspecified addresses, IPv4 and IPv6', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fc00::1', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:db8::1', '::ffff:1.2.3.4']) expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it('allows loopback only when configured, and every private range only when configured so', () => {
    expect(addressRefusal('127.0.0.1', closed)).toMatch(/loopback/);
    expect(addressRefusal('127.0.0.1', { allowLoopback: true, allowPrivate: false })).toBeNull();
    expect(addressRefusal('10.0.0.1', { allowLoopback: true, allowPrivate: false })).toMatch(/private/);
    expect(addressRefusal('10.0.0.1', { allowLoopback: false, allowPrivate: true })).toBeNull();
  });

  it('refuses URLs that are not http(s), carry credentials, or name a forbidden address or localhost', () => {
    expect(endpointUrlRefusal('ftp://portal.example.cn/x', closed)).toMatch(/http/);
    expect(endpointUrlRefusal('https://user:pw@portal.example.cn/x', closed)).toMatch(/credentials/);
    expect(endpointUrlRefusal('http://169.254.169.254/latest/meta-data', closed)).toMatch(/private/);
    expect(endpointUrlRefusal('http://[::1]:8080/', closed)).toMatch(/loopback/);
    expect(endpointUrlRefusal('http://localhost:8080/', closed)).toMatch(/loopback/);
    expect(endpointUrlRefusal('not a url', closed)).toMatch(/URL/);
    expect(endpointUrlRefusal('https://portal.example.cn/hooks', closed)).toBeNull();
  });
});
