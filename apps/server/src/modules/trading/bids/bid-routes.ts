import { Type } from 'typebox';
import { BidCreateBody, BidExportQuery, BidExportView, BidList, BidListQuery, BidPatchBody, BidVersionList, BidView, IdParams, errorResponses } from '@optibid/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authOf } from '../../../http/auth-hook.js';
import type { App } from '../../../http/types.js';
import type { BidExportService } from './bid-export-service.js';
import type { BidAnswer, BidService } from './bid-service.js';

const actorOf = (req: FastifyRequest) => {
  const a = authOf(req);
  return { organization_id: a.organization_id, user_id: a.user_id };
};

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'a retry with the same key returns the first answer and changes nothing' })),
});

function keyOf(req: FastifyRequest): string | undefined {
  const k = req.headers['idempotency-key'];
  return typeof k === 'string' ? k.trim() : undefined;
}

function send(reply: FastifyReply, a: BidAnswer) {
  if (a.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(a.status_code).send(a.body);
}

export function bidRoutes(app: App, bids: BidService, exports: BidExportService): void {
  const tags = ['bids'];
  app.get('/api/bids/export', {
    config: { access: 'bids:read' },
    schema: {
      tags,
      summary:
        "Your organisation's submitted and accepted day-ahead offers for one day in the ISO's format (ERCOT: one EWS BidSet XML document per transaction type); ?transaction= returns that document as application/xml",
      querystring: BidExportQuery,
      // 200: the JSON export, or with ?transaction= one XML document (a string, sent as is)
      response: { 200: Type.Union([BidExportView, Type.String({ description: 'application/xml: one BidSet document' })]), ...errorResponses },
    },
    handler: async (req, reply) => {
      const { organization_id } = actorOf(req);
      const q = req.query;
      if (q.transaction) return reply.type('application/xml; charset=utf-8').send(await exports.document(organization_id, q.market, q.delivery_date, q.transaction));
      return exports.export(organization_id, q.market, q.delivery_date);
    },
  });

  app.get('/api/bids', {
    config: { access: 'bids:read' },
    schema: { tags, summary: "Your organisation's bids (filters: status, market, run, asset_id, delivery dates start..end)", querystring: BidListQuery, response: { 200: BidList, ...errorResponses } },
    handler: async (req) => bids.list(actorOf(req), req.query),
  });

  app.post('/api/bids', {
    config: { access: 'bids:write' },
    schema: {
      tags,
      summary: 'Create a draft bid for an asset (422 with the gate closure time when the gate has closed); honours Idempotency-Key',
      headers: IdempotencyHeaders,
      body: BidCreateBody,
      response: { 201: BidView, ...errorResponses },
    },
    handler: async (req, reply) => send(reply, await bids.create(actorOf(req), req.body, keyOf(req))),
  });

  app.get('/api/bids/:id', {
    config: { access: 'bids:read' },
    schema: { tags, summary: 'One bid, with its awards once cleared', params: IdParams, response: { 200: BidView, ...errorResponses } },
    handler: async (req) => bids.get(actorOf(req), req.params.id),
  });

  app.patch('/api/bids/:id', {
    config: { access: 'bids:write' },
    schema: { tags, summary: 'Change a bid before gate closure (a new version; old versions kept)', params: IdParams, body: BidPatchBody, response: { 200: BidView, ...errorResponses } },
    handler: async (req) => bids.update(actorOf(req), req.params.id, req.body),
  });

  app.get('/api/bids/:id/versions', {
    config: { access: 'bids:read' },
    schema: { tags, summary: 'Every version of a bid, oldest first', params: IdParams, response: { 200: BidVersionList, ...errorResponses } },
    handler: async (req) => bids.versions(actorOf(req), req.params.id),
  });

  app.post('/api/bids/:id/submit', {
    config: { access: 'bids:write' },
    schema: {
      tags,
      summary: 'Submit a draft: validated against the ISO rules and accepted, or rejected with every issue; honours Idempotency-Key',
      headers: IdempotencyHeaders,
      params: IdParams,
      response: { 200: BidView, ...errorResponses },
    },
    handler: async (req, reply) => send(reply, await bids.submit(actorOf(req), req.params.id, keyOf(req))),
  });

  app.post('/api/bids/:id/cancel', {
    config: { access: 'bids:write' },
    schema: { tags, summary: 'Cancel a bid before gate closure; honours Idempotency-Key', headers: IdempotencyHeaders, params: IdParams, response: { 200: BidView, ...errorResponses } },
    handler: async (req, reply) => send(reply, await bids.cancel(actorOf(req), req.params.id, keyOf(req))),
  });
}
