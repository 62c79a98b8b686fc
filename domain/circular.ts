// The monthly circular (通报): its figures gathered from the ledger as it stood at the month's end
// (db/circulars.repo.ts), rendered here as zh-CN Markdown and HTML, pure, so that the same month
// generated twice gives the same content and the same SHA-256.
export const CIRCULAR_STATUSES = ['DRAFT', 'PUBLISHED'] as const;
export type CircularStatus = (typeof CIRCULAR_STATUSES)[number];
