// The typed client of the hazard-campaign API: openapi-fetch over the types generated from the
// API's own OpenAPI document (client/schema.d.ts, `npm run client:generate`). Paths, parameters,
// bodies and answers are checked by the compiler: a misspelt field is a compile error, not a 422.
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type HazardCampaignClient = Client<paths>;
export type Schemas = components['schemas'];

/** A client for `baseUrl` (e.g. `https://hazards.example.cn`) sending `apiKey` as its Bearer token. */
export function createHazardCampaignClient(baseUrl: string, apiKey: string, options: Omit<ClientOptions, 'baseUrl'> = {}): HazardCampaignClient {
  return createClient<paths>({ ...options, baseUrl, headers: { ...options.headers, authorization: `Bearer ${apiKey}` } });
}
