import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  /** smtp://127.0.0.1:PORT, usable as a nodemailer transport URL. */
  url: string;
  host: string;
  port: number;
  /** Every message received so far, in arrival order. */
  messages: ParsedMail[];
  /** When each message arrived (ms since the epoch), for lateness figures. */
  receivedAt: WeakMap<ParsedMail, number>;
  /** Recipients refused with a reply code (e.g. 550 unknown mailbox, 452 mailbox full); change it any time. */
  refuseRecipients: Map<string, { code: number; message: string }>;
  /** When set, every transaction is refused at MAIL FROM with this reply (e.g. 421 for an outage). */
  refuseAll: { code: number; message: string } | null;
  /** Resolves with the first message (already received or arriving later) matching `predicate`. */
  waitFor(predicate?: (mail: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** An in-process SMTP server that accepts anything and keeps the parsed messages. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const receivedAt = new WeakMap<ParsedMail, number>();
  const waiters = new Set<(mail: ParsedMail) => void>();
  const refuseRecipients = new Map<string, { code: number; message: string }>();
  const control = { refuseAll: null as { code: number; message: string } | null };
  const refusal = (r: { code: number; message: string }) => Object.assign(new Error(r.message), { responseCode: r.code });

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      callback(control.refuseAll ? refusal(control.refuseAll) : undefined);
    },
    onRcptTo(address, _session, callback) {
      const r = refuseRecipients.get(address.address.toLowerCase());
      callback(r ? refusal(r) : undefined);
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          receivedAt.set(mail, Date.now());
          messages.push(mail);
          for (const waiter of waiters) waiter(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A client that dies mid-session (a SIGKILLed worker) resets its connection: that is the client's
  // fault, not the sink's, and must not surface as an uncaught error in the test run.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') console.warn('[smtp-sink]', err.message);
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('SMTP sink has no TCP address');
  const { port } = address;

  return {
    url: `smtp://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    messages,
    receivedAt,
    refuseRecipients,
    get refuseAll() {
      return control.refuseAll;
    },
    set refuseAll(r) {
      control.refuseAll = r;
    },
    waitFor(predicate = () => true, timeoutMs = 10_000) {
      const existing = messages.find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const waiter = (mail: ParsedMail) => {
          if (!predicate(mail)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching mail within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
