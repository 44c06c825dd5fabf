import {
  ForecastExperimentList,
  ForecastModelCreateBody,
  ForecastModelList,
  ForecastModelListQuery,
  ForecastModelView,
  ForecastArtifactParams,
  ForecastRunView,
  ForecastStageBody,
  ForecastStageResponse,
  ForecastTrainBody,
  ForecastTrainResponse,
  ForecastVersionList,
  ForecastVersionParams,
  IdParams,
  errorResponses,
} from '@optibid/contracts';
import { Type } from 'typebox';
import { authOf } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { RegistryService } from './registry-service.js';

const actorOf = (req: Parameters<typeof authOf>[0]) => {
  const a = authOf(req);
  return { organization_id: a.organization_id, user_id: a.user_id };
};

export function registryRoutes(app: App, registry: RegistryService): void {
  const tags = ['forecasting'];
  app.get('/api/models', {
    config: { access: 'forecast:read' },
    schema: { tags, summary: "Your organisation's registered forecast models with their latest and production versions (metrics), and the model types available", querystring: ForecastModelListQuery, response: { 200: ForecastModelList, ...errorResponses } },
    handler: async (req) => registry.listModels(actorOf(req), req.query),
  });

  app.post('/api/models', {
    config: { access: 'forecast:manage' },
    schema: { tags, summary: 'Register a model for a market location (model type from GET /api/models model_types)', body: ForecastModelCreateBody, response: { 201: ForecastModelView, ...errorResponses } },
    handler: async (req, reply) => reply.code(201).send(await registry.createModel(actorOf(req), req.body)),
  });

  app.get('/api/models/:id', {
    config: { access: 'forecast:read' },
    schema: { tags, summary: 'One registered model', params: IdParams, response: { 200: ForecastModelView, ...errorResponses } },
    handler: async (req) => registry.getModel(actorOf(req), req.params.id),
  });

  app.get('/api/models/:id/versions', {
    config: { access: 'forecast:read' },
    schema: { tags, summary: "A model's versions with stage, status and evaluation metrics", params: IdParams, response: { 200: ForecastVersionList, ...errorResponses } },
    handler: async (req) => registry.listVersions(actorOf(req), req.params.id),
  });

  app.post('/api/models/:id/versions', {
    config: { access: 'forecast:manage' },
    schema: {
      tags,
      summary: 'Train a new version on stored history as a durable job: walk-forward evaluation over the last eval_days days (202; follow GET /api/runs/{run.id} for progress)',
      params: IdParams,
      body: Type.Union([ForecastTrainBody, Type.Null()]),
      response: { 202: ForecastTrainResponse, ...errorResponses },
    },
    handler: async (req, reply) => reply.code(202).send(await registry.train(actorOf(req), req.params.id, req.body ?? {})),
  });

  app.post('/api/models/:id/versions/:v/stage', {
    config: { access: 'forecast:manage' },
    schema: {
      tags,
      summary: "Move a version to none, staging, production or archived; production archives the model's previous production version",
      params: ForecastVersionParams,
      body: ForecastStageBody,
      response: { 200: ForecastStageResponse, ...errorResponses },
    },
    handler: async (req) => registry.setStage(actorOf(req), req.params.id, req.params.v, req.body.stage),
  });

  app.get('/api/experiments', {
    config: { access: 'forecast:read' },
    schema: { tags, summary: 'Experiments (one per registered model) with their run counts', response: { 200: ForecastExperimentList, ...errorResponses } },
    handler: async (req) => registry.experiments(actorOf(req)),
  });

  app.get('/api/runs/:id', {
    config: { access: 'forecast:read' },
    schema: { tags, summary: 'A training run: parameters, progress, metrics, artefact list', params: IdParams, response: { 200: ForecastRunView, ...errorResponses } },
    handler: async (req) => registry.getRun(actorOf(req), req.params.id),
  });

  app.get('/api/runs/:id/artifacts/:name', {
    config: { access: 'forecast:read' },
    schema: { tags, summary: 'One artefact of a run (model-state.json, forecasts.csv, metrics-per-hour.json)', params: ForecastArtifactParams },
    handler: async (req, reply) => {
      const a = await registry.artifact(actorOf(req), req.params.id, req.params.name);
      return reply.type(a.content_type).header('content-disposition', `attachment; filename="${a.name}"`).send(a.content);
    },
  });
}
