// The office sees what the mail server refused: GET /v1/notifications?status=FAILED lists each
// failed mail with every refused recipient and the server's answer, while the hazard goes on.
// Real app, real Postgres, shared dev server, real worker, a real SMTP server that refuses.
import { describe, expect, it } from 'vitest';
import { ApiHarness, eventually } from '../support/api-harness';
import { reportBody } from '../support/fixtures';

const h = ApiHarness.forFile({ worker: true });

describe('the outbox as the office reads it', () => {
  it('lists a mail the supervising department and the county refused (550) as FAILED with the refused addresses and the reason, while the hazard moved on', async () => {
    const department = `${h.entA.departmentCode}@dept.test`;
    const county = `${h.entA.countyCode}@county.test`;
    h.sink!.refuseRecipients.set(department, { code: 550, message: 'mailbox unavailable' });
    h.sink!.refuseRecipients.set(county, { code: 550, message: 'mailbox unavailable' });
    const created = await h.call('POST', '/v1/hazards', h.keys.entA, reportBody({ grade: 'MAJOR' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    h.track(created.body.workflowId);
    const id = created.body.id as string;

    const failed = await eventually(async () => {
      const res = await h.call('GET', `/v1/notifications?hazardId=${id}&status=FAILED`, h.keys.office);
      return res.body.items?.length > 0 ? res.body.items : undefined;
    }, 20_000, 'the FAILED notice');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: 'REPORTED_TO_REGULATOR', status: 'FAILED', deliveredTo: [] });
    expect(failed[0].failedRecipients).toEqual(expect.arrayContaining([expect.objectContaining({ address: department, permanent: true }), expect.objectContaining({ address: county, permanent: true })]));
    expect(failed[0].failedRecipients[0].reason).toContain('mailbox unavailable');
    expect(failed[0].lastError).toContain('550');
    // The refusal held nothing back: the department can list the hazard for supervision right away.
    const listed = await h.call('POST', `/v1/hazards/${id}/list-for-supervision`, h.keys.department, { note: '挂牌督办' });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.hazard.state).toBe('RECTIFYING');
    // Mail to mailboxes that accept still goes out: the listing notice reaches the enterprise's people.
    await eventually(async () => {
      const res = await h.call('GET', `/v1/notifications?hazardId=${id}&status=SENT`, h.keys.office);
      return res.body.items.some((n: { kind: string }) => n.kind === 'LISTED_FOR_SUPERVISION') ? true : undefined;
    }, 20_000, 'the listing notice SENT');
    h.sink!.refuseRecipients.clear();
  });
});
