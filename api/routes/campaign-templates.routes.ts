// Campaign templates: the plan as data, stored by key and version (validated as a whole), listed
// with the built-in ones marked, and read back whole to be changed into a new version.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { getTemplate, listTemplates, saveTemplate } from '../../db/campaign-admin.repo';
import { validateTemplate } from '../../domain/campaign-template';
import { DomainError, ErrorCode, invalidInput } from '../../domain/errors';
import { isBuiltIn } from '../../services/builtin-templates';
import { requireRole } from '../plugins/auth';
import { errorResponses } from '../schemas/common';
import { TemplateList, TemplateParams, TemplateSaved } from '../schemas/campaigns';

export const campaignTemplateRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.post('/campaign-templates', { schema: { tags: ['campaigns'], summary: 'Store a campaign template (validated, versioned by key + version)', body: Type.Ref('CampaignTemplate'), response: { 201: TemplateSaved, 200: TemplateSaved, ...errorResponses } } }, async (request, reply) => {
    requireRole(request, 'admin', 'office');
    const checked = validateTemplate(request.body);
    if (!checked.ok) throw invalidInput(checked.errors);
    const saved = await saveTemplate(db, checked.template);
    if (saved.kind === 'conflict') throw new DomainError(ErrorCode.CONFLICT, `template ${checked.template.key} v${checked.template.version} exists with other content; publish a new version`, [{ field: 'version', reason: 'already used' }]);
    return reply.status(saved.kind === 'created' ? 201 : 200).send({ key: checked.template.key, version: checked.template.version });
  });

  app.get('/campaign-templates', { schema: { tags: ['campaigns'], summary: 'List templates, the built-in ones (the Datong plan) marked', response: { 200: TemplateList, ...errorResponses } } }, async () => ({
    items: (await listTemplates(db)).map(({ key, version, body, createdAt }) => ({
      key,
      version,
      name: body.name,
      issuingBody: body.issuingBody,
      documentNumber: body.documentNumber,
      publishedOn: body.publishedOn,
      timeZone: body.timeZone,
      builtIn: isBuiltIn(key, version),
      createdAt: createdAt.toISOString(),
    })),
  }));

  app.get(
    '/campaign-templates/:key/:version',
    { schema: { tags: ['campaigns'], summary: 'One stored template, whole: change it and store it as a new version', params: TemplateParams, response: { 200: Type.Ref('CampaignTemplate'), ...errorResponses } } },
    async (request) => {
      const t = await getTemplate(db, request.params.key, request.params.version);
      if (!t) throw new DomainError(ErrorCode.NOT_FOUND, `no template ${request.params.key} v${request.params.version}`);
      return t;
    },
  );
};
