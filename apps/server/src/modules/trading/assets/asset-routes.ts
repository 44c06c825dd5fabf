import { Type } from 'typebox';
import { AssetCreateBody, AssetList, AssetListQuery, AssetPatchBody, AssetView, IdParams, TelemetryBody, errorResponses } from '@optibid/contracts';
import { authOf } from '../../../http/auth-hook.js';
import type { App } from '../../../http/types.js';
import type { AssetService } from './asset-service.js';

const actorOf = (req: Parameters<typeof authOf>[0]) => {
  const a = authOf(req);
  return { organization_id: a.organization_id, user_id: a.user_id };
};

export function assetRoutes(app: App, assets: AssetService): void {
  const tags = ['assets'];
  app.get('/api/assets', {
    config: { access: 'assets:read' },
    schema: { tags, summary: "Your organisation's assets (filters: type, market, location, active)", querystring: AssetListQuery, response: { 200: AssetList, ...errorResponses } },
    handler: async (req) => assets.list(actorOf(req), req.query),
  });

  app.post('/api/assets', {
    config: { access: 'assets:write' },
    schema: { tags, summary: 'Register an asset at a market location; 422 lists every parameter problem', body: AssetCreateBody, response: { 201: AssetView, ...errorResponses } },
    handler: async (req, reply) => reply.code(201).send(await assets.create(actorOf(req), req.body)),
  });

  app.get('/api/assets/:id', {
    config: { access: 'assets:read' },
    schema: { tags, summary: 'One asset', params: IdParams, response: { 200: AssetView, ...errorResponses } },
    handler: async (req) => assets.get(actorOf(req), req.params.id),
  });

  app.patch('/api/assets/:id', {
    config: { access: 'assets:write' },
    schema: { tags, summary: 'Rename, move within its market, change parameters, (de)activate', params: IdParams, body: AssetPatchBody, response: { 200: AssetView, ...errorResponses } },
    handler: async (req) => assets.update(actorOf(req), req.params.id, req.body),
  });

  app.delete('/api/assets/:id', {
    config: { access: 'assets:write' },
    schema: {
      tags,
      summary: 'Delete an asset that never bid (204); an asset with bids is deactivated instead (200, its history kept)',
      params: IdParams,
      response: { 200: Type.Object({ deleted: Type.Boolean(), asset: AssetView }), 204: Type.Null(), ...errorResponses },
    },
    handler: async (req, reply) => {
      const r = await assets.remove(actorOf(req), req.params.id);
      if (r.deleted) return reply.code(204).send(null);
      return r;
    },
  });

  app.post('/api/assets/:id/telemetry', {
    config: { access: 'assets:write' },
    schema: {
      tags,
      summary: 'Metered net output per interval (supply positive); RT settlement uses it instead of the award',
      params: IdParams,
      body: TelemetryBody,
      response: { 200: Type.Object({ stored: Type.Integer() }), ...errorResponses },
    },
    handler: async (req) => assets.recordTelemetry(actorOf(req), req.params.id, req.body.points),
  });
}
