// Mail transport. With SMTP_URL mail goes to that server; without it, each message is
// written as an .eml file (embedded default), so nothing is sent by surprise.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { SmtpFailure } from '../domain/delivery';

export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** An HTML alternative to the text, when the content has one (the circular). */
  html?: string;
  /** Deterministic per business key: a retried send carries the same Message-ID. */
  messageId: string;
  headers?: Record<string, string>;
}

/** Who the server took and who it refused (a partial refusal is not an error: the others got the mail). */
export interface SendOutcome {
  accepted: string[];
  rejected: { address: string; failure: SmtpFailure }[];
}

export interface Mailer {
  /** Throws when nobody got the mail; the error carries nodemailer's `code`, `responseCode` and `rejectedErrors`. */
  send(mail: OutgoingMail): Promise<SendOutcome>;
  close(): void;
}

type RejectedError = SmtpFailure & { recipient?: string };

/** Per-recipient refusals nodemailer reports, on a partial success or on an envelope error. */
export function rejectedRecipients(source: { rejected?: unknown; rejectedErrors?: unknown }, fallback: SmtpFailure): SendOutcome['rejected'] {
  const errors = Array.isArray(source.rejectedErrors) ? (source.rejectedErrors as RejectedError[]) : [];
  const addresses = Array.isArray(source.rejected) ? (source.rejected as unknown[]).map(String) : [];
  return addresses.map((address) => {
    const e = errors.find((x) => x.recipient === address);
    return { address, failure: e ? { code: e.code, responseCode: e.responseCode, response: e.response, message: e.message } : fallback };
  });
}

// Short timeouts: a mail activity must fail fast enough that a retry (another worker) takes over in seconds.
const SMTP_TIMEOUTS = { connectionTimeout: 4_000, greetingTimeout: 4_000, socketTimeout: 8_000 };

export function createSmtpMailer(smtpUrl: string): Mailer {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    ignoreTLS: url.searchParams.get('ignoreTLS') === 'true' || url.hostname === '127.0.0.1' || url.hostname === 'localhost',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    ...SMTP_TIMEOUTS,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({ ...mail, messageId: mail.messageId });
      const accepted = (info.accepted as unknown[]).map((a) => (typeof a === 'string' ? a : (a as { address: string }).address));
      return { accepted, rejected: rejectedRecipients(info as { rejected?: unknown; rejectedErrors?: unknown }, { message: 'recipient refused' }) };
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
      return { accepted: mail.to, rejected: [] };
    },
    close: () => transport.close(),
  };
}

/** SMTP when a URL is configured, otherwise .eml files in `fileDir`. */
export function createMailer(smtpUrl: string | null, fileDir: string, log?: (line: string) => void): Mailer {
  return smtpUrl ? createSmtpMailer(smtpUrl) : createFileMailer(fileDir, log);
}
