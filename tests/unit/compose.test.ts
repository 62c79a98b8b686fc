// docker-compose.yml cannot run here (no Docker), so it is held to what runs here instead: the
// Temporal server that cli/provision/temporal-postgres.ts builds and starts (the bench's 'postgres'
// topology, tests/e2e/temporal-postgres.e2e.test.ts) — same versions, same setup script, same
// dynamic config, same server variables.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DYNAMIC_CONFIG_FILE,
  SCHEMA_SCRIPT,
  TEMPORAL_ADMIN_TOOLS_TAG,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  temporalServerEnv,
} from '../../cli/provision/temporal-postgres';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  volumes?: string[];
  entrypoint?: string[];
  command?: string[];
}
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

const imageOf = (name: string) => {
  const image = services[name]?.image;
  if (!image) throw new Error(`docker-compose.yml has no image for ${name}`);
  return image;
};
/** Where a `source:target[:mode]` bind mount of a host path lands in the container. */
const mountsOf = (name: string) =>
  (services[name]?.volumes ?? []).map((v) => {
    const [source, target] = v.split(':');
    return { source: path.resolve(ROOT, source!), target: target! };
  });

describe('docker-compose.yml is the topology the bench runs', () => {
  it('pins every image to a version tag', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      const tag = /:([^:/]+)$/.exec(imageOf(name))?.[1];
      expect(tag, `${name}: ${service.image}`).toMatch(/\d+\.\d+/);
      expect(tag, `${name}: ${service.image}`).not.toBe('latest');
    }
  });

  it('runs the Temporal server, admin tools and UI at the versions the provisioning builds', () => {
    expect(imageOf('temporal')).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(imageOf('temporal-admin-tools')).toBe(`temporalio/admin-tools:${TEMPORAL_ADMIN_TOOLS_TAG}`);
    expect(imageOf('temporal-create-namespace')).toBe(`temporalio/admin-tools:${TEMPORAL_ADMIN_TOOLS_TAG}`);
    expect(TEMPORAL_ADMIN_TOOLS_TAG.startsWith(`${TEMPORAL_SERVER_VERSION}-`)).toBe(true);
    expect(imageOf('temporal-ui')).toBe(`temporalio/ui:${TEMPORAL_UI_VERSION}`);
    expect(Object.values(services).some((s) => s.image?.startsWith('temporalio/auto-setup'))).toBe(false);
  });

  it('sets the schema up with the script the provisioning runs', () => {
    const job = services['temporal-admin-tools']!;
    const script = [...(job.entrypoint ?? []), ...(job.command ?? [])].find((a) => a.endsWith('.sh'))!;
    const mount = mountsOf('temporal-admin-tools').find((m) => script.startsWith(`${m.target}/`));
    expect(mount && path.join(mount.source, path.relative(mount.target, script))).toBe(SCHEMA_SCRIPT);
  });

  it('gives the server the dynamic config file and the variables the provisioning gives it', () => {
    const env = services.temporal!.environment!;
    const mount = mountsOf('temporal').find((m) => m.source === DYNAMIC_CONFIG_FILE);
    expect(mount?.target).toBe(env.DYNAMIC_CONFIG_FILE_PATH);

    const local = temporalServerEnv(
      { host: '127.0.0.1', port: 5432, user: 'u', password: 'p' },
      { temporal: 't', visibility: 'v' },
      { frontend: 1, frontendHttp: 2, frontendMembership: 3, history: 4, historyMembership: 5, matching: 6, matchingMembership: 7, worker: 8, workerMembership: 9 },
    );
    // Where things are differs per run (host, ports, database names); what the server does must not.
    const placement = /(_PORT|_SEEDS|_USER|_PWD|DBNAME|BIND_ON_IP|BROADCAST_ADDRESS|DYNAMIC_CONFIG_FILE_PATH)$/;
    const behaviour = Object.keys(local).filter((k) => !placement.test(k));
    expect(behaviour).toEqual(expect.arrayContaining(['DB', 'TEMPORAL_ALLOW_NO_AUTH', 'LOG_LEVEL']));
    for (const key of behaviour) expect(env[key], key).toBe(local[key]);
    for (const key of ['POSTGRES_SEEDS', 'DB_PORT', 'POSTGRES_USER', 'POSTGRES_PWD', 'DBNAME', 'VISIBILITY_DBNAME']) {
      expect(env[key], key).toBeTruthy();
      expect(services['temporal-admin-tools']!.environment![key], key).toBe(env[key]);
    }
  });
});
