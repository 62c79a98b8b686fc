// The roster as a spreadsheet: the office uploads its .xlsx (multipart/form-data, field `file`),
// read by the streaming reader and imported as POST /v1/enterprises/bulk does (per-row errors,
// valid rows kept, the same file twice creates nothing twice); the template is downloaded.
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { DomainError, ErrorCode, invalidInput } from '../../domain/errors';
import { syncHazardScopes } from '../../services/hazard-scope';
import { readRosterXlsx, sheetErrors, SheetTooLargeError, writeRosterTemplate } from '../../services/roster-xlsx';
import type { TemporalTarget } from '../../services/temporal';
import { requireRole } from '../plugins/auth';
import { sendXlsx, xlsxResponse } from '../xlsx';
import { errorResponses } from '../schemas/common';
import { importRoster } from './reference.routes';

/** As the JSON import: 10,000 rows a file, and a file of at most 20 MiB. */
export const XLSX_MAX_ROWS = 10_000;
export const XLSX_MAX_BYTES = 20 * 1024 * 1024;

const CellError = Type.Object({
  row: Type.Integer({ description: 'the row in the sheet (the header is row 1)' }),
  column: Type.Union([Type.String(), Type.Null()], { description: 'the column letter, e.g. B' }),
  header: Type.Union([Type.String(), Type.Null()], { description: 'the header of that column as the file has it' }),
  field: Type.String({ description: 'the enterprise field, e.g. creditCode, principal.name' }),
  reason: Type.String(),
});
const XlsxImportResult = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  failed: Type.Integer(),
  rows: Type.Array(
    Type.Object({
      row: Type.Integer(),
      status: Type.Enum(['CREATED', 'UPDATED', 'UNCHANGED', 'FAILED']),
      id: Type.Optional(Type.String()),
      creditCode: Type.Optional(Type.String()),
      errors: Type.Optional(Type.Array(CellError)),
    }),
  ),
});

export const rosterXlsxRoutes: FastifyPluginAsyncTypebox<{ db: Db; temporal: TemporalTarget }> = async (app, { db, temporal }) => {
  // Scoped to these routes: one file, nothing else of size.
  await app.register(multipart, { limits: { fileSize: XLSX_MAX_BYTES, files: 1, fields: 5, parts: 6, fieldSize: 1024 } });

  app.post(
    '/enterprises/import',
    {
      schema: {
        tags: ['enterprises'],
        summary:
          'Load or correct the roster from an .xlsx file (multipart/form-data, the file in `file`): the first worksheet, a header row in Chinese or English (see the template), up to 10,000 rows and 20 MiB. Each row is checked as POST /v1/enterprises/bulk checks it: valid rows are stored, refused ones reported with their row number, column and reason; importing the same file again changes nothing',
        consumes: ['multipart/form-data'],
        body: Type.Object({ file: Type.String({ format: 'binary', maxLength: XLSX_MAX_BYTES, description: 'the .xlsx file' }) }, { additionalProperties: false }),
        response: { 200: XlsxImportResult, ...errorResponses },
      },
      // The multipart parser leaves the body to the handler (it streams the file): the schema documents
      // the part for OpenAPI, and a multipart request stands in for it here. Any other body is checked as declared.
      preValidation: async (request) => {
        if (request.isMultipart()) (request as { body: unknown }).body = { file: '' };
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office');
      if (!request.isMultipart()) throw new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'send the roster as multipart/form-data, the .xlsx in the field file', [{ field: 'file', reason: 'expected multipart/form-data' }]);
      let read;
      try {
        const part = await request.file();
        if (!part || part.fieldname !== 'file') throw invalidInput([{ field: 'file', reason: 'send the .xlsx in the multipart field file' }]);
        read = await readRosterXlsx(part.file, { maxRows: XLSX_MAX_ROWS });
        if (part.file.truncated) throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `the file is larger than ${XLSX_MAX_BYTES} bytes`, [{ field: 'file', reason: 'at most 20 MiB' }]);
      } catch (err) {
        if (err instanceof DomainError) throw err;
        const code = (err as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `the file is larger than ${XLSX_MAX_BYTES} bytes`, [{ field: 'file', reason: 'at most 20 MiB' }]);
        if (err instanceof SheetTooLargeError) throw invalidInput([{ field: 'file', reason: `more than ${XLSX_MAX_ROWS} rows: split the file` }]);
        // Not a zip, not a workbook, a multipart that ends early: the file's fault, nothing stored.
        throw invalidInput([{ field: 'file', reason: `is not a readable .xlsx workbook (${String((err as Error).message ?? err).slice(0, 200)})` }]);
      }
      if (read.errors.length > 0) throw invalidInput(read.errors);
      const { moved, ...result } = await importRoster(db, read.rows.map((r) => r.body), actor);
      if (moved.some((m) => m.hazardIds.length > 0)) {
        await syncHazardScopes(db, temporal, { onError: (err, sync) => request.log.warn({ err, hazardId: sync.hazardId }, 'hazard workflow not told of its new scope yet; the reconciler will retry') });
      }
      return {
        created: result.created,
        updated: result.updated,
        unchanged: result.unchanged,
        failed: result.failed,
        rows: result.rows.map((r) => {
          const row = read.rows[r.index]!.row;
          const errors = r.errors ? sheetErrors(read, r.index, r.errors) : undefined;
          return { row, status: r.status, ...(r.id ? { id: r.id } : {}), ...(r.creditCode !== undefined ? { creditCode: r.creditCode } : {}), ...(errors ? { errors } : {}) };
        }),
      };
    },
  );

  app.get(
    '/enterprises/import-template.xlsx',
    {
      schema: {
        tags: ['enterprises'],
        summary: 'The roster template (.xlsx): the Chinese header row and an example row on the first sheet, each column explained (English header, required or not, values) on the second',
        response: { 200: xlsxResponse('the template'), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireRole(request, 'admin', 'office');
      return sendXlsx(request, reply, 'roster-template.xlsx', writeRosterTemplate, '企业名录模板.xlsx');
    },
  );
};
