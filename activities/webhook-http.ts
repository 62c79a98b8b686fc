// One HTTP POST to a portal's endpoint, guarded against server-side request forgery: only http(s);
// the host's addresses are resolved and checked at connect time (the connection goes to the address
// that was checked, so a DNS answer cannot change between the check and the request); private,
// loopback and link-local addresses refused unless the configuration allows them; a deadline for
// the whole attempt; redirects are not followed (a 3xx is a failed attempt); the response body is
// read up to a cap and the rest discarded.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressRefusal, endpointUrlRefusal, RESPONSE_BODY_CAP_BYTES, type TargetPolicy } from '../domain/webhooks';

export type { TargetPolicy };

export class ForbiddenTargetError extends Error {}

function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => addressRefusal(a.address, policy)).find((r) => r !== null);
      if (refused) return callback(new ForbiddenTargetError(`${hostname} resolves to a forbidden address: ${refused}`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

export interface PostResult {
  status: number;
  /** The first RESPONSE_BODY_CAP_BYTES of the answer, as text. */
  body: string;
}

/** The URL itself: a malformed one, another scheme or a forbidden address literal can never be delivered to. */
export function checkTarget(raw: string, policy: TargetPolicy): URL {
  const refused = endpointUrlRefusal(raw, policy);
  if (refused) throw new ForbiddenTargetError(`${raw}: ${refused}`);
  return new URL(raw);
}

export async function postJson(raw: string, body: string, headers: Record<string, string>, o: { timeoutMs: number; policy: TargetPolicy }): Promise<PostResult> {
  const url = checkTarget(raw, o.policy);
  const client = url.protocol === 'https:' ? https : http;
  return await new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup(o.policy),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body).toString(), 'user-agent': 'hazard-campaign-webhooks/1', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        };
        res.on('data', (chunk: Buffer) => {
          if (size < RESPONSE_BODY_CAP_BYTES) chunks.push(chunk.subarray(0, RESPONSE_BODY_CAP_BYTES - size));
          size += chunk.length;
          if (size >= RESPONSE_BODY_CAP_BYTES) {
            res.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
