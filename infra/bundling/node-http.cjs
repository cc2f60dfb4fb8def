// What `node:http` (and `http`) resolve to in the Lambda bundles: esbuild
// `--alias:node:http=./infra/bundling/node-http.cjs` (infra/bundling/options.ts `bundleAliases`).
//
// Why: an ES module import of a Node built-in makes Node build a module facade that reads every export
// once. On Node 22, the Lambda runtime's, `http` exports WebSocket, CloseEvent and MessageEvent as
// getters over Node's bundled undici, so `import … from 'node:http'` (jose's JWKS download in
// shared/http/auth.ts; the SDK's handler for http: endpoints such as DynamoDB Local) loaded undici:
// 23 ms against 3 ms for the module alone, ≈ 10 ms of the cold first response (with the adapter's
// own fix in shared/http/lambda.ts). Bundled as this CommonJS module, the built-in is taken with
// process.getBuiltinModule (Node ≥ 20.16), which reads nothing.
module.exports = process.getBuiltinModule('node:http');
