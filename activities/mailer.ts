// Mail transport. With SMTP_URL mail goes to that server; without it, each message is
// written as an .eml file (embedded default), so nothing is sent by surprise.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** Deterministic per business key: a retried send carries the same Message-ID. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function createSmtpMailer(smtpUrl: string): Mailer {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    ignoreTLS: url.searchParams.get('ignoreTLS') === 'true' || url.hostname === '127.0.0.1' || url.hostname === 'localhost',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
  });
  return {
    async send(mail) {
      await transport.sendMail({ ...mail, messageId: mail.messageId });
    },
    close: () => transport.close(),
  };
}

export function createFileMailer(dir: string, log: (line: string) => void = () => undefined): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail({ ...mail, messageId: mail.messageId });
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${mail.messageId.replace(/[<>]/g, '').replace(/[^\w.@-]/g, '_')}.eml`);
      await writeFile(file, info.message as Buffer);
      log(`mail "${mail.subject}" to ${mail.to.join(', ')} written to ${file}`);
    },
    close: () => transport.close(),
  };
}

/** SMTP when a URL is configured, otherwise .eml files in `fileDir`. */
export function createMailer(smtpUrl: string | null, fileDir: string, log?: (line: string) => void): Mailer {
  return smtpUrl ? createSmtpMailer(smtpUrl) : createFileMailer(fileDir, log);
}
