// The roster as a spreadsheet (企业名录): its columns with their Chinese and English headers, and
// how a row's cells become the body POST /v1/enterprises takes. Pure: the xlsx reading and writing
// is in services/roster-xlsx.ts; the row's validation is the roster import's own.
import type { FieldError } from './errors';
import { INDUSTRIES, INDUSTRY_CODES } from './industries';

export interface RosterColumn {
  /** The body field it fills, dotted: principal.name, location.latitude. */
  field: string;
  zh: string;
  en: string;
  required: boolean;
  /** What the cell takes, for the template's notes. */
  noteZh: string;
}

export const ROSTER_COLUMNS: readonly RosterColumn[] = [
  { field: 'name', zh: '企业名称', en: 'name', required: true, noteZh: '全称' },
  { field: 'creditCode', zh: '统一社会信用代码', en: 'creditCode', required: true, noteZh: '18位，校验位按 GB 32100-2015' },
  { field: 'industry', zh: '行业', en: 'industry', required: true, noteZh: `行业名称或代码：${INDUSTRY_CODES.map((c) => `${INDUSTRIES[c].zh}（${c}）`).join('、')}` },
  { field: 'countyCode', zh: '县区代码', en: 'countyCode', required: true, noteZh: '已登记的县（区）单位代码' },
  { field: 'departmentCode', zh: '监管部门代码', en: 'departmentCode', required: true, noteZh: '已登记的市直部门单位代码' },
  { field: 'supervisionLevel', zh: '监管层级', en: 'supervisionLevel', required: false, noteZh: '县级（COUNTY，默认）或市级（CITY）' },
  { field: 'principal.name', zh: '主要负责人', en: 'principalName', required: true, noteZh: '姓名' },
  { field: 'principal.email', zh: '负责人邮箱', en: 'principalEmail', required: false, noteZh: '接收提醒邮件' },
  { field: 'principal.phone', zh: '负责人电话', en: 'principalPhone', required: false, noteZh: '' },
  { field: 'locale', zh: '语言', en: 'locale', required: false, noteZh: 'zh-CN（默认）或 en' },
  { field: 'location.latitude', zh: '纬度', en: 'latitude', required: false, noteZh: 'WGS-84，与经度同填或同空' },
  { field: 'location.longitude', zh: '经度', en: 'longitude', required: false, noteZh: 'WGS-84，与纬度同填或同空' },
];

const norm = (s: string): string => s.replace(/\s+/g, '').toLowerCase();
const BY_HEADER = new Map<string, RosterColumn>(ROSTER_COLUMNS.flatMap((c) => [[norm(c.zh), c] as const, [norm(c.en), c] as const]));

export interface HeaderMap {
  /** Sheet column number (1-based) → column. */
  columns: Map<number, RosterColumn & { header: string }>;
  errors: FieldError[];
}

/** Column letters as a spreadsheet shows them: 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** Reads the header row (Chinese or English headers, mixed if need be): every column known, none twice, the required ones there. */
export function mapHeaders(cells: (string | null)[]): HeaderMap {
  const columns = new Map<number, RosterColumn & { header: string }>();
  const errors: FieldError[] = [];
  const seen = new Map<string, string>();
  cells.forEach((text, i) => {
    const n = i + 1;
    if (text === null || text.trim() === '') return;
    const col = BY_HEADER.get(norm(text));
    if (!col) {
      errors.push({ field: `file.header.${columnLetter(n)}`, reason: `'${text.trim()}' is not a roster column: ${ROSTER_COLUMNS.map((c) => `${c.zh} / ${c.en}`).join(', ')}` });
      return;
    }
    const before = seen.get(col.field);
    if (before) errors.push({ field: `file.header.${columnLetter(n)}`, reason: `'${text.trim()}' repeats column ${before}` });
    seen.set(col.field, columnLetter(n));
    columns.set(n, { ...col, header: text.trim() });
  });
  for (const c of ROSTER_COLUMNS) if (c.required && !seen.has(c.field)) errors.push({ field: 'file.header', reason: `the column ${c.zh} / ${c.en} is missing` });
  return { columns, errors };
}

const INDUSTRY_BY_NAME = new Map<string, string>(INDUSTRY_CODES.flatMap((c) => [[norm(INDUSTRIES[c].zh), c] as const, [norm(INDUSTRIES[c].en), c] as const, [norm(c), c] as const]));
const LEVELS: Record<string, string> = { 县级: 'COUNTY', 市级: 'CITY', county: 'COUNTY', city: 'CITY' };

/**
 * A row's cells (text or number, null when empty) as the enterprise body: names of industries and
 * levels become their codes, numbers stay numbers; what is not understood is passed on as written,
 * for the import's validation to name.
 */
export function rowBody(cells: Map<string, string | number | null>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, raw] of cells) {
    if (raw === null || (typeof raw === 'string' && raw.trim() === '')) continue;
    let value: string | number = typeof raw === 'string' ? raw.trim() : raw;
    if (field === 'industry' && typeof value === 'string') value = INDUSTRY_BY_NAME.get(norm(value)) ?? value;
    else if (field === 'supervisionLevel' && typeof value === 'string') value = LEVELS[norm(value)] ?? value;
    else if (field.startsWith('location.') && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) value = Number(value);
    else if (!field.startsWith('location.') && typeof value === 'number') value = String(value);
    const [head, tail] = field.split('.') as [string, string | undefined];
    if (tail === undefined) body[head] = value;
    else body[head] = { ...((body[head] as Record<string, unknown> | undefined) ?? {}), [tail]: value };
  }
  return body;
}
