// An ESLint rule for apps/server's architecture, which `no-restricted-imports` cannot express
// because it sees only the import string: a relative import is resolved against the importing
// file, then checked against the server's layers.
//
// - The infrastructure (`context.ts`, `http/`, `realtime/`, `config/`, `db/`, `bus/`, `cache/`)
//   never imports from `modules/`: modules depend on it, not the other way round.
// - A module (`modules/<name>/…`) imports another module only through that module's
//   `index.ts`, never its internals.
import path from 'node:path';

/** `apps/server/src`-relative path of a file, or undefined when it is elsewhere. */
function serverRelative(file) {
  const norm = file.split(path.sep).join('/');
  const at = norm.lastIndexOf('/apps/server/src/');
  return at < 0 ? undefined : norm.slice(at + '/apps/server/src/'.length);
}

const INFRASTRUCTURE = ['context.ts', 'http/', 'realtime/', 'config/', 'db/', 'bus/', 'cache/'];

function isInfrastructure(rel) {
  return INFRASTRUCTURE.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p));
}

/** `modules/<name>/rest` → { name, rest }. */
function moduleOf(rel) {
  const m = /^modules\/([^/]+)\/(.*)$/.exec(rel);
  return m ? { name: m[1], rest: m[2] } : undefined;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: "apps/server layers: infrastructure never imports modules; modules import each other only through index.ts" },
    schema: [],
    messages: {
      infraImportsModule: '{{from}} is infrastructure and must not import from modules/ ({{target}}); pass what it needs in from the composition root',
      moduleInternals: "module '{{from}}' imports another module's internals ({{target}}); import modules/{{to}}/index.js or receive it from the composition root",
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    const rel = serverRelative(file);
    if (rel === undefined) return {};
    const fromModule = moduleOf(rel);
    const infra = isInfrastructure(rel);
    if (!fromModule && !infra) return {};

    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const targetRel = serverRelative(path.resolve(path.dirname(file), source));
      if (targetRel === undefined) return;
      const toModule = moduleOf(targetRel);
      if (!toModule) return;
      if (infra) {
        context.report({ node, messageId: 'infraImportsModule', data: { from: rel, target: targetRel } });
        return;
      }
      if (fromModule && toModule.name !== fromModule.name && !/^index\.(js|ts)$/.test(toModule.rest)) {
        context.report({ node, messageId: 'moduleInternals', data: { from: fromModule.name, target: targetRel, to: toModule.name } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};
