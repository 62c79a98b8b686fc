// OpenAPI 3.1 at /docs/json, Swagger UI at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'hazard-campaign API',
          version: '1.0.0',
          description:
            'Major-accident-hazard campaign (重大事故隐患专项排查整治): report hazards, drive their rectification, read the ledger (台账). Authenticate with `Authorization: Bearer <API key>`, or as a person signed in with `POST /v1/auth/login` (the `hc_session` cookie; writes also send the session’s CSRF token in `x-csrf-token`). Errors are RFC 9457 problem JSON.',
        },
        components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, cookieSession: { type: 'apiKey', in: 'cookie', name: 'hc_session', description: 'a person signed in with POST /v1/auth/login; writes also need x-csrf-token' } } },
        security: [{ apiKey: [] }, { cookieSession: [] }],
      },
      // Shared schemas keep their $id as their component name (Problem, Hazard, Order, CampaignTemplate), not def-N.
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'swagger' },
);
