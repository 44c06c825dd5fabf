/** /health, /api/meta and the other routes about the server itself. */
export { systemRoutes as registerSystem } from './system-routes.js';
export { SystemService } from './system-service.js';
