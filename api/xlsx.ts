// Every .xlsx the API sends is streamed into the response as it is written (services/xlsx-writer.ts):
// the ledger, the units' duties, a circular, the roster template.
import { PassThrough, type Writable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { workbookWriter, type WorkbookWriter } from '../services/xlsx-writer';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The OpenAPI answer of an .xlsx download. */
export const xlsxResponse = (description: string) => ({ description, content: { [XLSX_TYPE]: { schema: Type.String({ format: 'binary' }) } } });

/**
 * Sends what `write` writes into the stream it is given as an .xlsx download named `filename`
 * (and `utf8Name`, e.g. Chinese, for the browsers that read filename*). A failure half-way cuts the
 * download (the status is sent already): logged, never a hung response.
 */
export function sendXlsx(request: FastifyRequest, reply: FastifyReply, filename: string, write: (out: Writable) => Promise<void>, utf8Name?: string): FastifyReply {
  const out = new PassThrough();
  write(out).catch((err: unknown) => {
    request.log.error({ err, filename }, 'xlsx export failed');
    out.destroy(err as Error);
  });
  const disposition = `attachment; filename="${filename}"${utf8Name ? `; filename*=UTF-8''${encodeURIComponent(utf8Name)}` : ''}`;
  return reply.type(XLSX_TYPE).header('content-disposition', disposition).send(out);
}

/** A workbook whose sheets `sheets` writes one after another, sent as it is written. */
export function sendWorkbook(request: FastifyRequest, reply: FastifyReply, filename: string, sheets: (wb: WorkbookWriter) => Promise<void>, utf8Name?: string): FastifyReply {
  const write = async (out: Writable) => {
    const wb = workbookWriter(out);
    await sheets(wb);
    await wb.commit();
  };
  return sendXlsx(request, reply, filename, write, utf8Name);
}
