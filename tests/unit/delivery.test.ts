import { describe, expect, it } from 'vitest';
import { classifySmtpFailure, describeSmtpFailure, finalStatus, pendingRecipients, type DeliveryProgress } from '../../domain/delivery';

describe('classifySmtpFailure', () => {
  it('treats a 5xx reply (unknown mailbox, policy refusal) as permanent', () => {
    expect(classifySmtpFailure({ responseCode: 550, response: '550 no such user' })).toBe('PERMANENT');
    expect(classifySmtpFailure({ responseCode: 554, code: 'EENVELOPE' })).toBe('PERMANENT');
  });

  it('treats a 4xx reply (mailbox full, try later) as temporary', () => {
    expect(classifySmtpFailure({ responseCode: 452, response: '452 mailbox full' })).toBe('TEMPORARY');
    expect(classifySmtpFailure({ responseCode: 421, response: '421 try later' })).toBe('TEMPORARY');
  });

  it('treats a failure without a reply code (refused connection, timeout, DNS) as temporary', () => {
    expect(classifySmtpFailure({ code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toBe('TEMPORARY');
    expect(classifySmtpFailure({ code: 'ETIMEDOUT' })).toBe('TEMPORARY');
    expect(classifySmtpFailure({})).toBe('TEMPORARY');
  });

  it('retries a refused login (a 535 EAUTH) within the budget: the operator can fix the configuration', () => {
    expect(classifySmtpFailure({ code: 'EAUTH', responseCode: 535 })).toBe('TEMPORARY');
  });
});

describe('describeSmtpFailure', () => {
  it("gives the server's reply on one line, prefixed with nodemailer's code", () => {
    expect(describeSmtpFailure({ code: 'EENVELOPE', response: '550 no such\r\n  user' })).toBe('EENVELOPE: 550 no such user');
    expect(describeSmtpFailure({ message: 'boom' })).toBe('boom');
    expect(describeSmtpFailure({ response: 'x'.repeat(5000) })).toHaveLength(1000);
  });
});

const progress = (over: Partial<DeliveryProgress>): DeliveryProgress => ({ recipients: ['a@x', 'b@x', 'c@x'], deliveredTo: [], failedRecipients: [], ...over });

describe('pendingRecipients', () => {
  it('is every recipient before the first attempt', () => {
    expect(pendingRecipients(progress({}))).toEqual(['a@x', 'b@x', 'c@x']);
  });

  it('leaves out those already reached and those refused for good, keeps those refused for now', () => {
    const p = progress({
      deliveredTo: ['a@x'],
      failedRecipients: [
        { address: 'b@x', reason: '550 no such user', permanent: true },
        { address: 'c@x', reason: '452 mailbox full', permanent: false },
      ],
    });
    expect(pendingRecipients(p)).toEqual(['c@x']);
  });

  it('is empty once everyone is reached or refused for good', () => {
    expect(pendingRecipients(progress({ deliveredTo: ['a@x', 'c@x'], failedRecipients: [{ address: 'b@x', reason: '550', permanent: true }] }))).toEqual([]);
  });
});

describe('finalStatus', () => {
  it('is SENT when every recipient was reached', () => {
    expect(finalStatus(progress({ deliveredTo: ['a@x', 'b@x', 'c@x'] }))).toBe('SENT');
  });

  it('is PARTIALLY_SENT when some were reached and others refused', () => {
    expect(finalStatus(progress({ deliveredTo: ['a@x'], failedRecipients: [{ address: 'b@x', reason: '550', permanent: true }] }))).toBe('PARTIALLY_SENT');
  });

  it('is FAILED when nobody was reached', () => {
    expect(finalStatus(progress({ failedRecipients: ['a@x', 'b@x', 'c@x'].map((address) => ({ address, reason: '550', permanent: true })) }))).toBe('FAILED');
  });
});
