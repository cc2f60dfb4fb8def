import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Token } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { tableDefinition } from '../shared/db/table.js';
import { type OidcSettings, defaultClaims, readSettings } from './config.js';
import { AppFunction } from './constructs/app-function.js';

/** Where the API function finds the Swagger UI files for `GET /docs` (no CDN: works offline). */
const docsAssetsDir = 'docs-assets';
const swaggerUiFiles = ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-standalone-preset.js'];

/** Shell commands (run after esbuild) that put the Swagger UI files beside the API bundle. */
export function copyDocsAssets(inputDir: string, outputDir: string): string[] {
  return [
    `mkdir -p "${outputDir}/${docsAssetsDir}"`,
    ...swaggerUiFiles.map(
      (file) => `cp "${inputDir}/node_modules/swagger-ui-dist/${file}" "${outputDir}/${docsAssetsDir}/"`,
    ),
  ];
}

/**
 * Item-level actions on the base table. There is no IAM action for TransactWriteItems or
 * TransactGetItems: each element of a transaction is authorised as the underlying
 * Put/Update/Delete/GetItem or ConditionCheckItem. Never Scan.
 */
const apiTableActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];
/** The scanner reads and records alerts but never deletes (BatchWriteItem can delete too). */
const scannerTableActions = apiTableActions.filter(
  (action) => action !== 'dynamodb:DeleteItem' && action !== 'dynamodb:BatchWriteItem',
);

/**
 * The whole service: one DynamoDB table, the API function behind an HTTP API, the daily
 * deadline scanner, and — unless an external OIDC issuer is given — a Cognito user pool.
 *
 * The HTTP API has no API Gateway authorizer on purpose: the API function verifies the bearer
 * JWT itself (jose, against OIDC_ISSUER / OIDC_AUDIENCE / OIDC_JWKS_URL) so that it answers
 * 401 as problem+json, serves /health, /docs and /openapi.json without a token, and behaves the
 * same with Cognito, with an external issuer (AWS China) and locally.
 */
export class ApprenticeshipStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const settings = readSettings(this.node, this.knownRegion());
    const { architecture, logRetention, stage } = settings;

    const table = new Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      stream: StreamViewType[tableDefinition.stream],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableDefinition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    const identity = settings.externalIdentity ?? this.createUserPool();

    const apiFunction = new AppFunction(this, 'ApiFunction', {
      entry: 'functions/api.ts',
      // exceljs (xlsx exports) is large and imported only when a spreadsheet is asked for.
      nodeModules: ['exceljs'],
      description: 'Apprenticeship cohorts HTTP API',
      architecture,
      logRetention,
      stage,
      serviceName: 'apprenticeship-api',
      table,
      memorySize: settings.apiMemoryMb,
      timeout: Duration.seconds(29),
      environment: {
        OIDC_ISSUER: identity.issuer,
        OIDC_AUDIENCE: identity.audience,
        OIDC_JWKS_URL: identity.jwksUrl,
        ORG_CLAIM: identity.orgClaim,
        ROLE_CLAIM: identity.roleClaim,
        DOCS_ASSETS_DIR: `/var/task/${docsAssetsDir}`,
      },
      afterBundling: copyDocsAssets,
    });
    this.grantTable(apiFunction, table, apiTableActions);

    const scanner = new AppFunction(this, 'DeadlineScanFunction', {
      entry: 'functions/deadline-scan.ts',
      description: 'Daily scan of due and overdue deadlines (R-ALERT-1)',
      architecture,
      logRetention,
      stage,
      serviceName: 'apprenticeship-deadline-scan',
      table,
      timeout: Duration.minutes(5),
    });
    this.grantTable(scanner, table, scannerTableActions);

    // 17:05 UTC = 01:05 China Standard Time: just after the CST day (SPEC "Time") has turned.
    new Rule(this, 'DailyDeadlineScan', {
      description: 'Runs the deadline scanner once a day at 01:05 China Standard Time',
      schedule: Schedule.cron({ minute: '5', hour: '17' }),
      targets: [new LambdaFunction(scanner, { retryAttempts: 2, maxEventAge: Duration.hours(6) })],
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Apprenticeship cohorts API (JWT verified by the function itself)',
      createDefaultStage: false,
    });
    const stage$default = httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: settings.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', apiFunction);
    const routes = [
      ...httpApi.addRoutes({ path: '/', methods: [HttpMethod.ANY], integration }),
      ...httpApi.addRoutes({ path: '/{proxy+}', methods: [HttpMethod.ANY], integration }),
    ];
    NagSuppressions.addResourceSuppressions(routes, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'The API function verifies the bearer JWT itself (jose: issuer, audience, signature via JWKS) on every ' +
          'non-public route, answering 401 as problem+json; /health, /docs and /openapi.json are public by contract.',
      },
    ]);

    new CfnOutput(this, 'ApiUrl', { value: stage$default.url });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'OidcIssuer', { value: identity.issuer });
  }

  /** The region if it is known at synth time; env-agnostic stacks fall back to the CLI's. */
  private knownRegion(): string | undefined {
    if (!Token.isUnresolved(this.region)) return this.region;
    const fromContext: unknown = this.node.tryGetContext('region');
    return typeof fromContext === 'string' && fromContext !== ''
      ? fromContext
      : process.env.CDK_DEFAULT_REGION || undefined;
  }

  /**
   * Cognito user pool whose ID tokens carry `custom:org` and `custom:role`. Users are created
   * by an administrator (no self sign-up), and the app client cannot write those two
   * attributes, so nobody can grant themselves an organisation or a role.
   */
  private createUserPool(): OidcSettings {
    const userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        org: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        role: new StringAttribute({ minLen: 1, maxLen: 32, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const client = userPool.addClient('ApiClient', {
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('org', 'role'),
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
    });

    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });

    // Built from tokens so that the partition's domain is right wherever the stack lands.
    const { region, urlSuffix } = Stack.of(this);
    const issuer = `https://cognito-idp.${region}.${urlSuffix}/${userPool.userPoolId}`;
    return {
      issuer,
      // The ID token carries `aud` = client id and the custom attributes (the access token has neither).
      audience: client.userPoolClientId,
      jwksUrl: `${issuer}/.well-known/jwks.json`,
      orgClaim: defaultClaims.org,
      roleClaim: defaultClaims.role,
    };
  }

  /** Item actions on the table; only Query reaches the indexes, each named (no `index/*`). */
  private grantTable(grantee: IGrantable, table: Table, actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions, resources: [table.tableArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: tableDefinition.indexes.map((index) => `${table.tableArn}/index/${index.name}`),
      }),
    );
  }
}
