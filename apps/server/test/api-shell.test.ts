import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, type TestServer } from './helpers.js';

describeEachBackend('API shell: errors, health, OpenAPI', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it('answers malformed JSON with 400 in the error shape', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
    expect(res.json().error.request_id).toBeTruthy();
  });

  it('names the offending field for wrong types, missing and unknown fields', async () => {
    const wrongType = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'a@b.co', password: 12345678 } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error).toMatchObject({ code: 'validation_failed' });
    expect(wrongType.json().error.details).toContainEqual({ field: 'password', message: 'must be string' });

    const missing = await server.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'a@b.co', password: 'long-enough' } });
    expect(missing.statusCode).toBe(400);
    const fields = missing.json().error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'organization_name']));

    const unknown = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'a@b.co', password: 'x', is_admin: true } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details).toContainEqual({ field: 'is_admin', message: 'is not an allowed field' });

    const badEmail = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'not-an-email', password: 'x' } });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().error.details[0].field).toBe('email');
  });

  it('answers an unknown route with 404 in the same shape, with or without a token', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/does-not-exist' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'not_found', message: 'route GET /api/does-not-exist not found' });
    const reg = await registerUser(server.app);
    expect((await server.app.inject({ method: 'DELETE', url: '/api/nope', headers: bearer(reg.access_token) })).statusCode).toBe(404);
  });

  it('answers a bad uuid parameter with 400, not 500', async () => {
    const reg = await registerUser(server.app);
    const res = await server.app.inject({ method: 'GET', url: '/api/organizations/not-a-uuid/members', headers: bearer(reg.access_token) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('id');
  });

  it('reports every service really probed, 100 % on the embedded defaults', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(body.services.database).toMatchObject({ status: 'ok', backend: backend.name });
    expect(body.services.database.latency_ms).toBeGreaterThanOrEqual(0);
    expect(body.services.cache.status).toBe('ok');
    expect(body.services.bus.status).toBe('ok');
    expect(body.summary.availability_percentage).toBe(100);
    expect(body.summary.total_services).toBe(Object.keys(body.services).length);
    expect((await server.app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    expect((await server.app.inject({ method: 'GET', url: '/health/ready' })).json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('sets security headers and a request id', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('serves OpenAPI 3 built from the route schemas, and Swagger UI at /docs', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/auth/login'].post.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    expect(doc.paths['/health'].get.responses['200']).toBeTruthy();
    const ui = await server.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });
});
