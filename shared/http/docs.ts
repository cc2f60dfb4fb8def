/**
 * GET /openapi.json, GET /docs and the problem-type pages. The docs page's script and styles are
 * served by this service itself (swagger-ui-dist), never from a CDN: government networks are often
 * closed to the internet.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { App } from './app.js';
import { errorCatalogue, errorCodes, problemType } from './errors.js';

export const apiTags = [
  { name: 'Service', description: 'Health and documentation.' },
  { name: 'Organisations', description: 'Bureaus, chambers, enterprises, providers, evaluators and auditors (admin registers).' },
  { name: 'Catalogue', description: 'Occupations (职业/工种) and the working-day calendar.' },
  { name: 'Policy', description: 'Subsidy rates and cost-sharing, versioned by effective date (R-SUB-1).' },
  { name: 'Demand', description: 'SME training demand pooled by chambers (§四).' },
  { name: 'Cohorts', description: 'Class design: cohorts, participants, mentors, trainees, agreements, submission.' },
  { name: 'Review', description: 'Acceptance, expert votes, decision, publicity and plan listing (§二(六)).' },
  { name: 'Training', description: 'Filings by district, departures, assessments and closing.' },
  { name: 'Subsidy', description: 'Subsidy lines and their disbursement (§九).' },
  { name: 'Supervision', description: 'Alerts, KPIs, audit trail and ledgers (§一, §十一).' },
];

const ASSETS = ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-standalone-preset.js'] as const;

function assetsDir(): string {
  if (process.env.DOCS_ASSETS_DIR) return process.env.DOCS_ASSETS_DIR;
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

const docsPage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>企业新型学徒制联合组班 API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', persistAuthorization: true, displayOperationId: true, tryItOutEnabled: true });</script>
</body></html>`;

export function registerDocs(app: App) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'OIDC access/ID token; with STAGE=local also HS256 tokens of issuer apprenticeship-local (npm start prints some).',
  });
  // Generated once per container (≈ 30 ms of CPU, 210 KB): only the server URL differs per request.
  let document: ReturnType<App['getOpenAPI31Document']> | undefined;
  const license = { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' };
  app.get('/openapi.json', (c) => {
    document ??= documentHeaders(app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Joint apprenticeship cohorts API (企业新型学徒制联合组班)',
        version: '1.0.0',
        description:
          'Chambers of commerce, SMEs, group HQs and labour bureaus run enterprise new-type apprenticeship classes together, ' +
          'under the Wuxi notice of 2 April 2024. Money is integer fen; dates are China Standard Time. Errors are RFC 9457 problem+json.',
        license, // OpenAPI 3.1's SPDX `identifier` (the library's type predates it)
        contact: { name: 'Platform team', email: 'platform@apprenticeship.invalid' },
      },
      servers: [],
      tags: apiTags,
    }));
    return c.json({ ...document, servers: [{ url: new URL(c.req.url).origin, description: 'This deployment' }] });
  });

  app.get('/docs', (c) => c.html(docsPage));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (!(ASSETS as readonly string[]).includes(file)) return c.notFound();
    const body = await readFile(join(assetsDir(), file));
    c.header('content-type', file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=86400');
    return c.body(body);
  });
  app.get('/problems/:slug', (c) => {
    const code = errorCodes.find((k) => problemType(k) === `/problems/${c.req.param('slug')}`);
    if (!code) return c.notFound();
    const { status, title } = errorCatalogue[code];
    return c.json({ type: problemType(code), code, status, title: title.en, titleZh: title.zh });
  });
}

type Doc = ReturnType<App['getOpenAPI31Document']>;
type Operation = { parameters?: unknown[]; responses?: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema?: { $ref?: string } }> }> };

/**
 * The headers API.md's conventions give every operation, which no route declares one by one: the test
 * clock and the language of messages on every request; ETag on what carries a version (single
 * resources, and the cohort or line a transition answers); Retry-After on 503.
 */
function documentHeaders(doc: Doc): Doc {
  doc.components ??= {};
  doc.components.parameters = {
    ...doc.components.parameters,
    ClockNow: {
      name: 'X-Clock-Now', in: 'header', required: false,
      description: 'Outside the `prod` stage: the request\'s "now" (ISO-8601; without an offset, China Standard Time), to drive a lifecycle in seconds. Refused in `prod` (400 CLOCK_OVERRIDE_FORBIDDEN).',
      schema: { type: 'string', example: '2027-03-01T10:00:00+08:00' },
    },
    AcceptLanguage: {
      name: 'Accept-Language', in: 'header', required: false,
      description: 'Problem messages in Chinese with `zh-CN`; English otherwise.',
      schema: { type: 'string', example: 'zh-CN' },
    },
  };
  doc.components.headers = {
    ...doc.components.headers,
    ETag: { description: 'The version of the resource; send it back as If-Match.', schema: { type: 'string', example: '"3"' } },
    RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer', example: 1 } },
  };
  const versioned = new Set(['#/components/schemas/Cohort', '#/components/schemas/SubsidyLine']);
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      op.parameters = [...(op.parameters ?? []), { $ref: '#/components/parameters/ClockNow' }, { $ref: '#/components/parameters/AcceptLanguage' }];
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (status === '503') response.headers = { ...response.headers, 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };
        const schema = response.content?.['application/json']?.schema?.$ref;
        const single = method === 'get' && path.endsWith('}') && status === '200';
        if ((status === '200' || status === '201') && (single || (schema && versioned.has(schema)))) {
          response.headers = { ...response.headers, ETag: { $ref: '#/components/headers/ETag' } };
        }
      }
    }
  }
  return doc;
}
