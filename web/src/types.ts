// The shapes of the /v1 answers the console reads (the OpenAPI document at /docs/json is the reference).
export type Counts = { total: number; open: number; overdue: number };
export type CountsBy = Record<string, Counts>;
export type DutyState = 'PENDING' | 'SUBMITTED' | 'MISSED';

export interface CampaignItem {
  id: string;
  name: string;
  status: string;
  templateKey: string;
  timeZone: string;
  currentPhases: string[];
  launchedAt: string;
}

export interface Duty {
  dutyKey: string;
  kind: string;
  label: string;
  dueAt: string;
  state: DutyState;
  late: boolean;
}

export interface CoverageCounts {
  required: number;
  covered: number;
  share: number;
}
export interface SelfInspectionCounts {
  due: number;
  filed: number;
  filedLate: number;
  missed: number;
  share: number;
}

export interface CampaignStatus {
  id: string;
  name: string;
  status: string;
  currentPhases: string[];
  timeZone: string;
  phases: Record<string, { status: 'PENDING' | 'OPEN' | 'CLOSED'; opensAt: string; closesAt: string }> | null;
  participants: { unitCode: string; kind: 'COUNTY' | 'DEPARTMENT' }[];
  hazards: Counts & { byCounty: CountsBy; byDepartment: CountsBy; byIndustry: CountsBy; byGrade: CountsBy; byState: CountsBy };
  duties: { units: Record<string, Duty[]>; missed: number; submittedLate: number; submitted: number; total: number };
  spotCheck: { seed: string | null; strata: { key: string; industry: string; countyCode: string | null; population: number; required: number; drawn: number; inspected: number; drawnRatio: number }[] } | null;
  selfInspections: { declared: number; problemsFound: number };
  supervisionFindings: number;
  coverage?: {
    selfInspection: { total: SelfInspectionCounts; byCounty: Record<string, SelfInspectionCounts>; byDepartment: Record<string, SelfInspectionCounts>; byIndustry: Record<string, SelfInspectionCounts> };
    byCounty: Record<string, CoverageCounts>;
    byDepartment: Record<string, CoverageCounts>;
    byIndustry: Record<string, CoverageCounts>;
  };
}

export interface Person {
  name: string | null;
  email: string | null;
  phone: string | null;
}

export interface Hazard {
  id: string;
  enterpriseId: string;
  countyCode: string;
  departmentCode: string;
  industry: string;
  grade: 'GENERAL' | 'MAJOR';
  source: string;
  state: string;
  overdue: boolean;
  escalated: boolean;
  description: string;
  location: string;
  responsible: Person;
  principal: Person;
  measures: string;
  fundsAmount: number;
  deadline: string;
  deadlineVersion: number;
  interimControls: string;
  timeZone: string;
  pendingExtension: { requestedDeadline: string; reason: string; requestedAt: string; requestedBy: { name: string; role: string } } | null;
  createdAt: string;
  closedAt: string | null;
}

export interface LiveHazard {
  state: string;
  overdue: boolean;
  escalated: boolean;
  deadline: string;
  deadlineVersion: number;
  rejections: number;
  extensions: number;
  nextEvent: { key: string; kind: string; atIso: string } | null;
}

export interface RecordItem {
  at: string;
  stream: string;
  ref: string;
  seq: number;
  type: string;
  actor: { name: string; role: string; scope: string | null } | null;
  from: Record<string, unknown> | null;
  to: Record<string, unknown> | null;
  data: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CaseView {
  id: string;
  subject: { kind: 'UNIT' | 'ENTERPRISE'; ref: string; name: string | null; countyCode: string | null; departmentCode: string | null };
  causeKind: string;
  campaignId: string | null;
  rung: string;
  status: 'OPEN' | 'HELD' | 'RESOLVED';
  exposed: boolean;
  overdue: boolean;
  reviewDueAt: string | null;
  heldUntil: string | null;
  summonsAt: string | null;
  referralTo: string | null;
  openedAt: string;
  resolvedAt: string | null;
}

export interface CaseDetail {
  case: CaseView;
  causes: { kind: string; refId: string; note: string | null; joinedAt: string; resolvedAt: string | null }[];
  live: { status: string; rung: string; reviewDueAt: string | null; nextEvent: { kind: string; atIso: string } | null } | null;
  liveStatus: 'LIVE' | 'UNAVAILABLE';
}

export interface Order {
  id: string;
  kind: string;
  status: string;
  enterpriseId: string;
  countyCode: string;
  departmentCode: string;
  legalBasis: string;
  reason: string;
  hazardIds: string[];
  caseId: string | null;
  deadline: string | null;
  timeZone: string;
  overdue: boolean;
  issuedBy: { name: string; role: string };
  createdAt: string;
}

export interface Notification {
  id: string;
  hazardId: string | null;
  campaignId: string | null;
  kind: string;
  recipients: string[];
  subject: string;
  status: string;
  attempts: number;
  lastError: string | null;
  failedRecipients: { address: string; reason: string; permanent: boolean }[];
  createdAt: string;
  sentAt: string | null;
}

export interface Unit {
  id: string;
  kind: 'COUNTY' | 'DEPARTMENT';
  code: string;
  name: string;
  email: string | null;
}

export interface Enterprise {
  id: string;
  name: string;
  industry: string;
  countyCode: string;
  departmentCode: string;
}

export interface Ranking {
  at: string;
  kind: 'COUNTY' | 'DEPARTMENT';
  units: { unitCode: string; indicators: { indicator: string; value: number | null; weight: number; points: number; numerator: number; denominator: number | null }[]; total: number; rank: number }[];
}

export interface Circular {
  month: string;
  status: 'DRAFT' | 'PUBLISHED';
  asOf: string;
  contentSha256: string;
  publishedAt: string | null;
}

export interface SpotCheckDraw {
  seed: string | null;
  rosterSize: number;
  strata: { key: string; industry: string; countyCode?: string; population: number; required: number; drawn: string[] }[];
  inspections: { enterpriseId: string; countyCode: string; departmentCode: string; state: string; late: boolean; submittedAt: string | null }[];
  drawnAt: string;
}
