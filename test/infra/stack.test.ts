import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Aspects, Stack, type StackProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppFunction, projectRoot } from '../../infra/constructs/app-function.js';
import { ApprenticeshipStack, copyDocsAssets } from '../../infra/stack.js';
import { tableDefinition } from '../../shared/db/table.js';

/** The context `npx cdk synth` runs with, so the tests see the same template. */
const cdkContext = (JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
}).context;

interface Synth {
  readonly stack: Stack;
  readonly template: Template;
}

/** Synthesises the stack without bundling (`aws:cdk:bundling-stacks: []`), in well under a second. */
function synth(context: Record<string, unknown> = {}, props: StackProps = {}, nag = false): Synth {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new ApprenticeshipStack(app, 'Apprenticeship', props);
  if (nag) Aspects.of(app).add(new AwsSolutionsChecks());
  return { stack, template: Template.fromStack(stack) };
}

const externalIdp = { oidcIssuer: 'https://idp.example.cn/realms/hr/', oidcAudience: 'apprenticeship-api' };

type Resource = { Type: string; Properties: Record<string, any> };

function functionByService(template: Template, service: string): [string, Resource] {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
    ([, fn]) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
  );
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
}

/** Every statement of every policy attached to the function's role. */
function statementsOf(template: Template, service: string): Array<Record<string, any>> {
  const [, fn] = functionByService(template, service);
  const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

// The CLI sets it from the AWS profile; the tests must not depend on the developer's.
beforeAll(() => {
  vi.stubEnv('CDK_DEFAULT_REGION', undefined);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('default stack (Cognito user pool, arm64)', () => {
  let template: Template;
  let api: Resource;
  let scanner: Resource;
  let scannerId: string;
  beforeAll(() => {
    ({ template } = synth());
    [, api] = functionByService(template, 'apprenticeship-api');
    [scannerId, scanner] = functionByService(template, 'apprenticeship-deadline-scan');
  });

  it('builds the table from tableDefinition: keys, GSIs (projection ALL), TTL, stream', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(table?.Properties.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual(
      tableDefinition.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    const keyNames = [
      tableDefinition.partitionKey,
      tableDefinition.sortKey,
      ...tableDefinition.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    expect(table?.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
    );
    expect(table?.Properties.AttributeDefinitions).toHaveLength(keyNames.length);
  });

  it('protects the table: on-demand, PITR, deletion protection, retained, stream of both images', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
        StreamSpecification: { StreamViewType: tableDefinition.stream },
      },
    });
  });

  it('runs both functions on Node.js 22, arm64, without --enable-source-maps in prod, with their own retained log group', () => {
    for (const fn of [api, scanner]) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.TracingConfig).toBeUndefined(); // no X-Ray (not in AWS China)
      // Loading the source map costs ≈ 10 ms of every cold start (infra/bundling/options.ts).
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
      expect(fn.Properties.Environment.Variables).toMatchObject({
        STAGE: 'prod',
        TABLE_NAME: { Ref: expect.stringMatching(/^Table/) },
        POWERTOOLS_METRICS_NAMESPACE: 'Apprenticeship',
      });
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
    }
    template.allResources('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365 },
    });
  });

  it('gives the API function its limits, docs assets and the Cognito OIDC settings', () => {
    expect(api.Properties.MemorySize).toBe(1024);
    expect(api.Properties.Timeout).toBe(29);
    const env = api.Properties.Environment.Variables;
    expect(env).toMatchObject({
      DOCS_ASSETS_DIR: '/var/task/docs-assets',
      ORG_CLAIM: 'custom:org',
      ROLE_CLAIM: 'custom:role',
      OIDC_AUDIENCE: { Ref: expect.stringMatching(/ApiClient/) },
    });
    const issuer = JSON.stringify(env.OIDC_ISSUER);
    expect(issuer).toContain('https://cognito-idp.');
    expect(issuer).toContain('{"Ref":"AWS::URLSuffix"}');
    expect(issuer).toContain('{"Ref":"AWS::Region"}');
    expect(issuer).not.toContain('amazonaws.com');
    expect(JSON.stringify(env.OIDC_JWKS_URL)).toContain('/.well-known/jwks.json');
  });

  it('serves the API function through an HTTP API $default stage with access logs and throttling', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );
    expect(routeKeys.sort()).toEqual(['ANY /', 'ANY /{proxy+}']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    template.hasOutput('ApiUrl', {});
    template.hasOutput('TableName', {});
  });

  it('runs the deadline scanner daily at 01:05 China Standard Time', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(5 17 * * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [scannerId, 'Arn'] } })],
    });
  });

  it('creates a Cognito user pool with custom org/role that the client cannot write', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'org', AttributeDataType: 'String', Mutable: true }),
        Match.objectLike({ Name: 'role', AttributeDataType: 'String', Mutable: true }),
      ]),
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
    });
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(client?.Properties.GenerateSecret).toBe(false);
    expect(client?.Properties.ExplicitAuthFlows).toEqual(
      expect.arrayContaining(['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH']),
    );
    expect(client?.Properties.ReadAttributes).toEqual(expect.arrayContaining(['custom:org', 'custom:role']));
    expect(client?.Properties.WriteAttributes).not.toContain('custom:org');
    expect(client?.Properties.WriteAttributes).not.toContain('custom:role');
    template.hasOutput('UserPoolId', {});
    template.hasOutput('UserPoolClientId', {});
  });

  it('grants least privilege: explicit item actions, named indexes, no Scan, no wildcard action', () => {
    const apiStatements = statementsOf(template, 'apprenticeship-api');
    const scannerStatements = statementsOf(template, 'apprenticeship-deadline-scan');
    const actions = (statements: Array<Record<string, any>>) =>
      statements.flatMap((statement) => asArray<string>(statement.Action));

    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of asArray<string>(statement.Action)) {
          expect(action).not.toContain('*');
          expect(action).not.toBe('dynamodb:Scan');
        }
        expect(JSON.stringify(statement.Resource)).not.toContain('*');
      }
    }
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    expect(actions(apiStatements)).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem']),
    );
    expect(actions(scannerStatements)).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']),
    );
    expect(actions(scannerStatements)).not.toContain('dynamodb:DeleteItem');
    expect(actions(scannerStatements)).not.toContain('dynamodb:BatchWriteItem');
    const indexResources = JSON.stringify(apiStatements.map((statement) => statement.Resource));
    for (const index of tableDefinition.indexes) expect(indexResources).toContain(`/index/${index.name}`);
  });
});

describe('context', () => {
  it('switches both functions to x86_64 with -c architecture=x86_64', () => {
    const { template } = synth({ architecture: 'x86_64' });
    template.allResourcesProperties('AWS::Lambda::Function', { Architectures: ['x86_64'] });
  });

  it('passes -c stage through, with source-mapped stack traces outside prod, and refuses an unknown architecture', () => {
    const { template } = synth({ stage: 'staging' });
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STAGE: 'staging', NODE_OPTIONS: '--enable-source-maps' }) },
    });
    expect(() => synth({ architecture: 'mips' })).toThrow(/arm64 or x86_64/);
  });

  it('with -c oidcIssuer creates no user pool and hands the issuer to the API function', () => {
    const { template } = synth({ ...externalIdp, orgClaim: 'org', roleClaim: 'role' });
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    const [, api] = functionByService(template, 'apprenticeship-api');
    expect(api.Properties.Environment.Variables).toMatchObject({
      OIDC_ISSUER: 'https://idp.example.cn/realms/hr',
      OIDC_AUDIENCE: 'apprenticeship-api',
      OIDC_JWKS_URL: 'https://idp.example.cn/realms/hr/.well-known/jwks.json',
      ORG_CLAIM: 'org',
      ROLE_CLAIM: 'role',
    });
    expect(template.findOutputs('UserPoolId')).toEqual({});
  });

  it('takes -c oidcJwksUrl as given and needs an audience with the issuer', () => {
    const jwks = 'https://idp.example.cn/realms/hr/protocol/openid-connect/certs';
    const { template } = synth({ ...externalIdp, oidcJwksUrl: jwks });
    const [, api] = functionByService(template, 'apprenticeship-api');
    expect(api.Properties.Environment.Variables.OIDC_JWKS_URL).toBe(jwks);
    expect(() => synth({ oidcIssuer: externalIdp.oidcIssuer })).toThrow(/oidcAudience/);
  });
});

describe('AWS China regions', () => {
  it('synthesises for cn-north-1 with an external issuer, with no aws-partition ARN literal', () => {
    const { template } = synth(externalIdp, { env: { region: 'cn-north-1' } });
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('arn:aws:');
  });

  it('refuses a cn- region without -c oidcIssuer (stack env, -c region or CDK_DEFAULT_REGION)', () => {
    expect(() => synth({}, { env: { region: 'cn-north-1' } })).toThrow(/-c oidcIssuer.*-c oidcAudience/);
    expect(() => synth({ region: 'cn-northwest-1' })).toThrow(/Cognito user pools are not offered/);
    vi.stubEnv('CDK_DEFAULT_REGION', 'cn-northwest-1');
    try {
      expect(() => synth()).toThrow(/cn-northwest-1/);
    } finally {
      vi.stubEnv('CDK_DEFAULT_REGION', undefined);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  const findings = (stack: Stack, level: 'error' | 'warning') => {
    const annotations = Annotations.fromStack(stack);
    const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
    const found =
      level === 'error' ? annotations.findError('*', pattern) : annotations.findWarning('*', pattern);
    return found.map((message) => `${message.id}: ${String(message.entry.data).split('\n')[0]}`);
  };

  it('reports no unsuppressed error or warning, with Cognito or an external issuer in China', () => {
    for (const { stack } of [
      synth({}, {}, true),
      synth(externalIdp, { env: { region: 'cn-north-1' } }, true),
    ]) {
      expect(findings(stack, 'error')).toEqual([]);
      expect(findings(stack, 'warning')).toEqual([]);
    }
  });
});

describe('AppFunction bundling (local esbuild, no Docker)', () => {
  it('emits a minified ESM bundle with a createRequire banner, a source map, the lean zod and the docs assets', async () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-bundle-'));
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'Bundle');
      const table = new Table(stack, 'Table', {
        partitionKey: { name: 'PK', type: AttributeType.STRING },
      });
      new AppFunction(stack, 'Fn', {
        entry: 'test/infra/fixtures/handler.ts',
        description: 'fixture',
        architecture: Architecture.ARM_64,
        logRetention: RetentionDays.ONE_DAY,
        stage: 'test',
        serviceName: 'fixture',
        table,
        afterBundling: copyDocsAssets,
      });
      app.synth();

      const assetDir = readdirSync(outdir)
        .map((name) => path.join(outdir, name))
        .find((dir) => existsSync(path.join(dir, 'index.mjs')));
      expect(assetDir).toBeDefined();
      const bundle = readFileSync(path.join(assetDir!, 'index.mjs'), 'utf8');
      expect(bundle.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(true);
      expect(bundle).toMatch(/export\s*\{/);
      expect(bundle).toContain('sourceMappingURL=index.mjs.map');
      expect(existsSync(path.join(assetDir!, 'index.mjs.map'))).toBe(true);
      for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-standalone-preset.js']) {
        expect(existsSync(path.join(assetDir!, 'docs-assets', file))).toBe(true);
      }
      // `--alias:zod=./infra/bundling/zod-lean/index.mjs` resolved from projectRoot: no locales, no
      // z.fromJSONSchema, yet validation and its English messages work.
      expect(bundle).not.toContain('Ongeldige invoer'); // the Dutch locale
      expect(bundle).not.toContain('fromJSONSchema input is not valid JSON');
      const { handler } = (await import(pathToFileURL(path.join(assetDir!, 'index.mjs')).href)) as {
        handler: (event: unknown) => Promise<{ statusCode: number; body: string }>;
      };
      expect(await handler({ name: 'x' })).toEqual({ statusCode: 200, body: '{"status":"ok","name":"x"}' });
      expect(await handler({ name: 1 })).toEqual({ statusCode: 400, body: '{"message":"Invalid input: expected string, received number"}' });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
