// An ESLint rule for apps/server's architecture, which `no-restricted-imports` cannot express
// because it sees only the import string: a relative import is resolved against the importing
// file, then checked against the server's layers.
//
// - The infrastructure (`context.ts`, `http/`, `realtime/`, `config/`, `db/`, `bus/`, `cache/`, `metrics/`)
//   never imports from `modules/`: modules depend on it, not the other way round.
// - A module (`modules/<name>/…`) imports another module only through that module's
//   `index.ts`, never its internals.
// - A route file (`*-routes.ts` in a module) imports nothing from `db/`: routes call services,
//   services call repositories.
// - The outer programs (`jobs/`, `demo/`, `cli/`, `bench/`) take their services from the
//   composition root (`services.ts`): they may import a module's `index.ts` (for its types and
//   pure helpers) but not its internals, and no repository except as a type. A bench that
//   measures a repository alone disables the rule on that line, saying so.
import path from 'node:path';

/** `apps/server/src`-relative path of a file, or undefined when it is elsewhere. */
function serverRelative(file) {
  const norm = file.split(path.sep).join('/');
  const at = norm.lastIndexOf('/apps/server/src/');
  return at < 0 ? undefined : norm.slice(at + '/apps/server/src/'.length);
}

const INFRASTRUCTURE = ['context.ts', 'http/', 'realtime/', 'config/', 'db/', 'bus/', 'cache/', 'metrics/'];
const OUTER = ['jobs/', 'demo/', 'cli/', 'bench/'];

function isInfrastructure(rel) {
  return INFRASTRUCTURE.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p));
}

/** `modules/<name>/rest` → { name, rest }. */
function moduleOf(rel) {
  const m = /^modules\/([^/]+)\/(.*)$/.exec(rel);
  return m ? { name: m[1], rest: m[2] } : undefined;
}

/** Names that build repositories or services: the composition root's business alone. */
const FACTORY = /^create\w*Repositories$|Repository$|ServicesOn$/;
const isOuter = (rel) => OUTER.some((p) => rel.startsWith(p));
const isRouteFile = (rel) => rel.startsWith('modules/') && /-routes\.(js|ts)$/.test(rel);

export default {
  meta: {
    type: 'problem',
    docs: { description: 'apps/server layers: infrastructure never imports modules; modules import each other only through index.ts; routes never import db/; jobs, demo, cli and bench go through the composition root' },
    schema: [],
    messages: {
      infraImportsModule: '{{from}} is infrastructure and must not import from modules/ ({{target}}); pass what it needs in from the composition root',
      moduleInternals: "module '{{from}}' imports another module's internals ({{target}}); import modules/{{to}}/index.js or receive it from the composition root",
      routeImportsDb: '{{from}} is a route file and must not import from db/ ({{target}}); call a service, which calls the repository',
      outerImportsInternals: "{{from}} imports a module's internals ({{target}}); take the service from the composition root (services.ts) or import modules/{{to}}/index.js",
      outerBuildsServices: "{{from}} imports {{name}}, which builds repositories or services; take them from the composition root (services.ts)",
      outerImportsRepository: '{{from}} imports a repository ({{target}}); take the services from the composition root (services.ts) — only types may be imported',
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    const rel = serverRelative(file);
    if (rel === undefined) return {};
    const fromModule = moduleOf(rel);
    const infra = isInfrastructure(rel);
    const outer = isOuter(rel);
    const route = isRouteFile(rel);
    if (!fromModule && !infra && !outer) return {};

    function check(node, source, typeOnly = false) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const targetRel = serverRelative(path.resolve(path.dirname(file), source));
      if (targetRel === undefined) return;
      if (route && targetRel.startsWith('db/')) {
        context.report({ node, messageId: 'routeImportsDb', data: { from: rel, target: targetRel } });
        return;
      }
      if (outer && !typeOnly && targetRel.startsWith('db/repositories/')) {
        context.report({ node, messageId: 'outerImportsRepository', data: { from: rel, target: targetRel } });
        return;
      }
      const toModule = moduleOf(targetRel);
      if (!toModule) return;
      if (infra) {
        context.report({ node, messageId: 'infraImportsModule', data: { from: rel, target: targetRel } });
        return;
      }
      const viaIndex = /^index\.(js|ts)$/.test(toModule.rest);
      if (fromModule && toModule.name !== fromModule.name && !viaIndex) {
        context.report({ node, messageId: 'moduleInternals', data: { from: fromModule.name, target: targetRel, to: toModule.name } });
      }
      if (outer && !viaIndex) {
        context.report({ node, messageId: 'outerImportsInternals', data: { from: rel, target: targetRel, to: toModule.name } });
      }
    }

    return {
      // A type-only import (`import type …`, or every specifier `type`) builds nothing.
      ImportDeclaration: (node) => {
        const typeOnly = node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((sp) => sp.importKind === 'type'));
        check(node.source, node.source.value, typeOnly);
        if (!outer || node.importKind === 'type' || typeof node.source.value !== 'string' || !node.source.value.startsWith('.')) return;
        for (const sp of node.specifiers) {
          const name = sp.type === 'ImportSpecifier' ? (sp.imported.name ?? sp.imported.value) : undefined;
          if (name && sp.importKind !== 'type' && FACTORY.test(name)) context.report({ node: sp, messageId: 'outerBuildsServices', data: { from: rel, name } });
        }
      },
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node.source, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};
