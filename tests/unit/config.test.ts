import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('listens on 127.0.0.1:3000', () => {
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('uses an embedded PGlite database under data/ in the working directory', () => {
    expect(config.dataDir).toBe(join(process.cwd(), 'data'));
    expect(config.databaseUrl).toBe(`pglite:${join(process.cwd(), 'data', 'pglite')}`);
  });

  it('writes mail to files and notifies the default office address', () => {
    expect(config.smtpUrl).toBeNull();
    expect(config.officeEmails).toEqual(['office@hazard-campaign.local']);
  });

  it('talks to a local Temporal on the default namespace and task queue', () => {
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'hazard-campaign', port: 7233, uiPort: 8233 });
  });

  it('logs at info, reconciles every minute and has no bootstrap admin key', () => {
    expect(config.logLevel).toBe('info');
    expect(config.reconcileIntervalSeconds).toBe(60);
    expect(config.bootstrapAdminKey).toBeNull();
  });
});

describe('loadConfig with values', () => {
  it('reads the port', () => {
    expect(loadConfig({ PORT: '8080' }).port).toBe(8080);
    expect(loadConfig({ PORT: '8080', HOST: '0.0.0.0' }).publicUrl).toBe('http://0.0.0.0:8080');
  });

  it('treats an empty PORT as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it('puts the embedded database under DATA_DIR', () => {
    expect(loadConfig({ DATA_DIR: '/srv/hc' }).databaseUrl).toBe('pglite:/srv/hc/pglite');
  });

  it('keeps a postgres URL as given', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://hc:pw@db:5432/hc' }).databaseUrl).toBe('postgres://hc:pw@db:5432/hc');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/hc' }).databaseUrl).toBe('postgresql://db/hc');
  });

  it('splits office emails on commas and drops blanks', () => {
    expect(loadConfig({ OFFICE_EMAILS: 'a@ajw.example.cn, b@ajw.example.cn,,' }).officeEmails).toEqual(['a@ajw.example.cn', 'b@ajw.example.cn']);
  });

  it('drops a trailing slash from the public URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://hazards.example.cn/' }).publicUrl).toBe('https://hazards.example.cn');
  });

  it('accepts smtp and smtps URLs', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://mail:25' }).smtpUrl).toBe('smtp://mail:25');
    expect(loadConfig({ SMTP_URL: 'smtps://mail:465' }).smtpUrl).toBe('smtps://mail:465');
  });

  it('accepts a bootstrap admin key of 16 characters', () => {
    expect(loadConfig({ BOOTSTRAP_ADMIN_KEY: '0123456789abcdef' }).bootstrapAdminKey).toBe('0123456789abcdef');
  });

  it('accepts every log level', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
  });
});

describe('loadConfig errors', () => {
  const failure = (env: Record<string, string>): Error => {
    try {
      loadConfig(env);
    } catch (e) {
      return e as Error;
    }
    throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
  };

  it('names PORT and the bad value for PORT=abc', () => {
    const e = failure({ PORT: 'abc' });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('PORT');
    expect(e.message).toContain('abc');
  });

  it.each(['70000', '-1', '3000.5'])('refuses PORT=%s', (port) => {
    expect(failure({ PORT: port })).toBeInstanceOf(ConfigError);
  });

  it('refuses a MySQL database URL, naming DATABASE_URL', () => {
    const e = failure({ DATABASE_URL: 'mysql://root@db/hc' });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('DATABASE_URL');
    expect(e.message).toContain('mysql://root@db/hc');
  });

  it('refuses an http URL for SMTP, naming SMTP_URL', () => {
    const e = failure({ SMTP_URL: 'http://mail.example.cn' });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('SMTP_URL');
  });

  it('refuses an unknown log level, naming LOG_LEVEL and the allowed ones', () => {
    const e = failure({ LOG_LEVEL: 'loud' });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('LOG_LEVEL');
    expect(e.message).toContain('info');
  });

  it('refuses a bootstrap admin key shorter than 16 characters', () => {
    const e = failure({ BOOTSTRAP_ADMIN_KEY: '0123456789abcde' });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('BOOTSTRAP_ADMIN_KEY');
  });

  it('refuses a reconcile interval longer than a day', () => {
    const e = failure({ RECONCILE_INTERVAL_SECONDS: '86401' });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('RECONCILE_INTERVAL_SECONDS');
  });
});

describe('loadConfig limits and proxies', () => {
  it('limits writes per key to 600 a minute, mail-sending writes to 120, bodies to 1 MiB, and trusts no proxy by default', () => {
    const config = loadConfig({});
    expect(config.limits).toEqual({ writesPerMinute: 600, mailPerMinute: 120, bodyLimitBytes: 1_048_576 });
    expect(config.trustProxy).toBe(false);
  });

  it('reads the limits and refuses nonsense', () => {
    expect(loadConfig({ RATE_LIMIT_WRITES_PER_MINUTE: '50', RATE_LIMIT_MAIL_PER_MINUTE: '5', BODY_LIMIT_BYTES: '65536' }).limits).toEqual({ writesPerMinute: 50, mailPerMinute: 5, bodyLimitBytes: 65_536 });
    expect(() => loadConfig({ RATE_LIMIT_WRITES_PER_MINUTE: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMIT_MAIL_PER_MINUTE: 'many' })).toThrow(ConfigError);
    expect(() => loadConfig({ BODY_LIMIT_BYTES: '10' })).toThrow(ConfigError);
  });

  it('trusts a proxy only when told which (or told true), never from a typo', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(ConfigError);
  });
});

describe('loadConfig worker tuning', () => {
  it('bounds the workflow cache at 1,000 with 40 workflow-task and 100 activity slots by default', () => {
    expect(loadConfig({}).worker).toEqual({ maxCachedWorkflows: 1000, workflowTaskSlots: 40, activitySlots: 100, workflowBundlePath: null });
  });

  it('reads the cache and slots, and a cache of 0 (off) with any slots', () => {
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '5000', WORKER_WORKFLOW_TASK_SLOTS: '10', WORKER_ACTIVITY_SLOTS: '50' }).worker).toEqual({ maxCachedWorkflows: 5000, workflowTaskSlots: 10, activitySlots: 50, workflowBundlePath: null });
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0', WORKER_WORKFLOW_TASK_SLOTS: '80' }).worker.maxCachedWorkflows).toBe(0);
  });

  it('reads a workflow bundle built ahead (npm run build:workflows); blank is none', () => {
    expect(loadConfig({ WORKER_WORKFLOW_BUNDLE: '/srv/hazard/workflows.js' }).worker.workflowBundlePath).toBe('/srv/hazard/workflows.js');
    expect(loadConfig({ WORKER_WORKFLOW_BUNDLE: ' ' }).worker.workflowBundlePath).toBeNull();
  });

  it('refuses more workflow-task slots than cached workflows, a cache of 1, and nonsense, naming the variable', () => {
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '20', WORKER_WORKFLOW_TASK_SLOTS: '40' })).toThrow(/WORKER_WORKFLOW_TASK_SLOTS/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ WORKER_ACTIVITY_SLOTS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(ConfigError);
  });
});
