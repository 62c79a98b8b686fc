import { Client, Connection } from '@temporalio/client';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { freshDatabase, startSmtpSink } from '../support';

describe('test harness', () => {
  it('reaches the shared Temporal dev server', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection });
      const { namespaceInfo } = await client.workflowService.describeNamespace({ namespace: 'default' });
      expect(namespaceInfo?.name).toBe('default');
    } finally {
      await connection.close();
    }
  });

  it('clones a fresh database from the template', async () => {
    const first = await freshDatabase();
    const second = await freshDatabase();
    expect(first.url).not.toBe(second.url);
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string }>('select current_database() as db');
      expect(first.url.endsWith(`/${rows[0]?.db}`)).toBe(true);
    } finally {
      await client.end();
      await first.close();
      await second.close();
    }
  });

  it('receives and parses mail in the SMTP sink', async () => {
    const sink = await startSmtpSink();
    try {
      const transport = nodemailer.createTransport(sink.url);
      await transport.sendMail({
        from: 'inspector@example.test',
        to: 'operator@example.test',
        subject: 'Prüfbericht ✓',
        text: 'hello',
      });
      const mail = await sink.waitFor((m) => m.subject === 'Prüfbericht ✓', 5000);
      expect(mail.text?.trim()).toBe('hello');
      expect(sink.messages).toHaveLength(1);
    } finally {
      await sink.close();
    }
  });
});
