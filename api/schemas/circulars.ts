// The monthly circulars (通报) of a campaign: generate a month's draft, read, publish.
import { Type } from 'typebox';
import { CIRCULAR_STATUSES, MONTH_PATTERN } from '../../domain/circular';

const Month = Type.String({ pattern: MONTH_PATTERN, minLength: 7, maxLength: 7, description: "a month (YYYY-MM) in the campaign's time zone" });

export const CircularsParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const CircularParams = Type.Object({ id: Type.String({ format: 'uuid' }), month: Month });
export const GenerateCircularBody = Type.Object({ month: Month }, { additionalProperties: false });

const ActorView = Type.Object({ keyId: Type.String(), role: Type.String(), scope: Type.Union([Type.String(), Type.Null()]), name: Type.String() });
const Stamp = {
  campaignId: Type.String({ format: 'uuid' }),
  month: Type.String(),
  status: Type.Enum(CIRCULAR_STATUSES),
  asOf: Type.String({ format: 'date-time', description: "the instant the ledger was read at: the month's last millisecond, or the generation instant while the month runs" }),
  contentSha256: Type.String({ description: 'SHA-256 (hex) of the canonical JSON of { figures, markdown, html }' }),
  generatedAt: Type.String({ format: 'date-time' }),
  publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  publishedBy: Type.Union([ActorView, Type.Null()]),
};

export const CircularSummary = Type.Object(Stamp);
export const CircularList = Type.Object({ items: Type.Array(CircularSummary, { description: 'by month' }) });

export const Circular = Type.Object({
  ...Stamp,
  figures: Type.Unknown({
    description:
      'the figures: rankings (counties, departments: totals and ranks), the month’s hazards, the units’ missed duties, enterprises with overdue major hazards, supervision findings and concealment cases of the month, coverage (domain/circular.ts CircularFigures)',
  }),
  markdown: Type.String({ description: 'the circular in zh-CN, Markdown' }),
  html: Type.String({ description: 'the same, HTML (every text from the ledger escaped)' }),
});

export const PublishedCircular = Type.Object({
  circular: Circular,
  mail: Type.Object({
    workflowId: Type.String({ description: 'the mailing workflow (one mail per unit taking part through the outbox, business key circular:<campaign>:<month>:<unit>)' }),
    started: Type.Boolean({ description: 'false when the mailing could not be started (Temporal unreachable): the circular is published all the same' }),
  }),
});
