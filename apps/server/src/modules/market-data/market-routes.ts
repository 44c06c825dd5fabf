import { Type } from 'typebox';
import {
  AncillaryPricePage,
  AncillaryPriceQuery,
  ImportReport,
  IsoParam,
  LatestPrices,
  MarketLocationList,
  MarketView,
  PricePage,
  PriceQuery,
  PriceSeriesList,
  PriceSeriesQuery,
  PriceStatsQuery,
  PriceStatsView,
  errorResponses,
} from '@optibid/contracts';
import { authOf } from '../../http/auth-hook.js';
import { badRequest, forbidden, unauthorized } from '../../http/errors.js';
import type { App } from '../../http/types.js';
import type { FastifyRequest } from 'fastify';
import type { ImportService } from './import-service.js';
import { readImportUpload } from './import-upload.js';
import type { MarketService, PriceOwner } from './market-service.js';
import type { PriceReads } from './price-reads.js';

/** The series a read names: the shared market unless `scope=own`, which needs a signed-in organisation. */
function readOwner(req: FastifyRequest, scope: 'shared' | 'own' | undefined): PriceOwner {
  if (scope !== 'own') return null;
  if (!req.auth) throw unauthorized("scope=own reads your organisation's series: sign in");
  return req.auth.organization_id;
}

/**
 * The series an API import writes. Only the platform writes the shared market, so a platform admin's import
 * goes there unless it asks for `own`; anyone else's goes into its organisation's own series.
 */
function importOwner(req: FastifyRequest, scope: string | undefined): PriceOwner {
  const auth = authOf(req);
  if (scope !== undefined && scope !== 'shared' && scope !== 'own') throw badRequest(`scope must be shared or own (got ${scope})`, [{ field: 'scope', message: 'shared or own' }]);
  if (scope === 'own') return auth.organization_id;
  if (auth.is_platform_admin) return null;
  if (scope === 'shared') throw forbidden('only the platform writes the shared market; your imports go into your organisation\'s own series (scope=own)');
  return auth.organization_id;
}

/**
 * The reads a trader's screens poll (prices, latest, stats, locations) go through `reads`: cached
 * in process, with ETag/304 and Cache-Control, serialised once by the route's response schema.
 */
export function marketRoutes(app: App, markets: MarketService, imports: ImportService, reads: PriceReads, opts: { publicMarketData: boolean }): void {
  // Market reference data is public when market data is; otherwise any signed-in user reads it.
  const readAccess = opts.publicMarketData ? ('public' as const) : ('market:read' as const);

  app.get('/api/markets', {
    config: { access: readAccess },
    schema: { tags: ['markets'], summary: 'Every ISO we cover, with its rules', response: { 200: Type.Object({ items: Type.Array(MarketView) }), ...errorResponses } },
    handler: async () => ({ items: markets.catalogue.listMarkets().map((m) => markets.view(m)) }),
  });

  app.get('/api/markets/:iso', {
    config: { access: readAccess },
    schema: { tags: ['markets'], summary: 'One ISO with its rules', params: Type.Object({ iso: IsoParam }), response: { 200: MarketView, ...errorResponses } },
    handler: async (req) => markets.view(markets.market(req.params.iso)),
  });

  app.get('/api/markets/:iso/locations', {
    config: { access: readAccess },
    schema: {
      tags: ['markets'],
      summary: "An ISO's hubs and zones, with the ISO's own identifiers, and which have stored prices",
      params: Type.Object({ iso: IsoParam }),
      response: { 200: MarketLocationList, ...errorResponses },
    },
    handler: async (req, reply) => reads.locations(req, reply, req.params.iso),
  });

  app.get('/api/prices', {
    config: { access: readAccess },
    schema: { tags: ['prices'], summary: 'A price series, ordered by time, paged with a cursor', querystring: PriceQuery, response: { 200: PricePage, ...errorResponses } },
    handler: async (req, reply) => reads.prices(req, reply, req.query, readOwner(req, req.query.scope)),
  });

  app.get('/api/prices/series', {
    config: { access: readAccess },
    schema: {
      tags: ['prices'],
      summary: "Which price series a scope holds: scope=own your organisation's imported series (every market, or the one named), scope=shared (the default) the shared market's of the market named",
      querystring: PriceSeriesQuery,
      response: { 200: PriceSeriesList, ...errorResponses },
    },
    handler: async (req) => markets.series(readOwner(req, req.query.scope), req.query.market),
  });

  app.get('/api/prices/latest', {
    config: { access: readAccess },
    schema: {
      tags: ['prices'],
      summary: 'The newest price of every location and run in a market, with the change from the interval before',
      querystring: Type.Object({ market: IsoParam }, { additionalProperties: false }),
      response: { 200: LatestPrices, ...errorResponses },
    },
    handler: async (req, reply) => reads.latest(req, reply, req.query.market),
  });

  app.get('/api/prices/stats', {
    config: { access: readAccess },
    schema: { tags: ['prices'], summary: 'Mean, min, max, std, negative-price hours and mean daily spread', querystring: PriceStatsQuery, response: { 200: PriceStatsView, ...errorResponses } },
    handler: async (req, reply) => reads.stats(req, reply, req.query, readOwner(req, req.query.scope)),
  });

  app.get('/api/ancillary-prices', {
    config: { access: readAccess },
    schema: {
      tags: ['prices'],
      summary: 'Ancillary-service clearing prices (USD per MW per hour) of one zone, per product, ordered by product then time',
      querystring: AncillaryPriceQuery,
      response: { 200: AncillaryPricePage, ...errorResponses },
    },
    handler: async (req) => markets.ancillaryPrices(req.query),
  });

  app.post('/api/prices/import', {
    config: { access: 'prices:import' },
    // The multipart reader counts every file against the import limits as it streams in (import-upload.ts).
    bodyLimit: imports.limits.maxRequestBytes,
    schema: {
      tags: ['prices'],
      summary:
        "Import ISO price files, energy or ancillary-service (ERCOT NP4-181-ER, SPP DA-MCP), detected from the content (multipart: files, and optional fields format, market, location, run, scope). An organisation's import goes into its own series (scope own); only a platform admin writes the shared market (scope shared, its default) and the market-wide AS prices. Each file is stored whole or not at all, with its own import record and audit row. Limits (413 or 422 naming the file and the setting): files per upload, bytes per file and per upload, bytes a file decompresses to and its compression ratio",
      consumes: ['multipart/form-data'],
      response: { 200: ImportReport, ...errorResponses },
    },
    handler: async (req) => {
      const { files, fields } = await readImportUpload(req, imports.limits);
      if (fields.run && !['DA', 'RT5', 'RT15', 'RTH'].includes(fields.run)) throw badRequest(`run must be DA, RT5, RT15 or RTH (got ${fields.run})`);
      const auth = authOf(req);
      const owner = importOwner(req, fields.scope);
      const report = await imports.importUpload(
        files,
        { format: fields.format, market: fields.market, location: fields.location, run: fields.run as 'DA' | undefined },
        { organization_id: auth.organization_id, user_id: auth.user_id, ip: req.ip, origin: 'api' },
        owner,
      );
      if (report.files.length === 0 && report.refused.length > 0) {
        throw badRequest(report.refused.map((r) => r.reason).join('\n'), report.refused);
      }
      return report;
    },
  });
}
