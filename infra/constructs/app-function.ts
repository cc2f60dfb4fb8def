import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { bundleAliases, esbuildTarget, esmRequireBanner, neverLoadedInLambda, nodeOptionsFor } from '../bundling/options.js';

/** Repository root: entries, package-lock.json and node_modules are resolved from here. */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Node.js 22: the LTS the code is built and tested on, offered in every region incl. AWS China (esbuild target node22). */
export const nodeRuntime = Runtime.NODEJS_22_X;

export interface AppFunctionProps {
  /** Entry file, relative to the repository root (e.g. `functions/api.ts`). */
  readonly entry: string;
  readonly description: string;
  readonly architecture: Architecture;
  readonly logRetention: RetentionDays;
  readonly stage: string;
  /** POWERTOOLS_SERVICE_NAME */
  readonly serviceName: string;
  /** Exposed as TABLE_NAME; access is granted by the caller, action by action. */
  readonly table: ITable;
  readonly memorySize?: number;
  /** @default 29 seconds (an HTTP API integration times out at 30) */
  readonly timeout?: Duration;
  readonly environment?: Record<string, string>;
  /** Shell commands run after esbuild, e.g. to copy static files next to the bundle. */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
  /** Packages shipped as node_modules instead of bundled (large, lazily imported ones). */
  readonly nodeModules?: string[];
}

/**
 * A NodejsFunction with the project's defaults, so each function is declared in a few lines:
 * ESM bundle built by the local esbuild (never Docker), minified with source maps, its own log
 * group with a retention, and a role that holds nothing but write access to that log group
 * (no AWSLambdaBasicExecutionRole managed policy; callers add table permissions).
 * The bundle leaves out what a Lambda function never loads and most of zod (infra/bundling/options.ts);
 * `--enable-source-maps` only outside the prod stage (≈ 10 ms of every cold start).
 */
export class AppFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    // Created beside the function (not inside it) because `this` is not usable before super().
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const afterBundling = props.afterBundling ?? (() => []);

    super(scope, id, {
      entry: path.join(projectRoot, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: nodeRuntime,
      architecture: props.architecture,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(29),
      role,
      logGroup,
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      environment: {
        ...nodeOptionsFor(props.stage),
        TABLE_NAME: props.table.tableName,
        STAGE: props.stage,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'Apprenticeship',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: esmRequireBanner,
        target: esbuildTarget,
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings only; leaving the sources out halves the upload.
        sourcesContent: false,
        // Ship the SDK version the code was tested with instead of the runtime's copy,
        // which lags behind (and differs per region, AWS China included). `externalModules`
        // replaces CDK's default externals, so the SDK stays bundled but for these modules.
        bundleAwsSDK: true,
        externalModules: [...neverLoadedInLambda],
        // The zod facade and node:http as CommonJS; the relative paths resolve from projectRoot, where
        // the local esbuild runs. (Docker bundling would run elsewhere: it is never used, see forceDockerBundling.)
        esbuildArgs: Object.fromEntries(Object.entries(bundleAliases).map(([from, to]) => [`--alias:${from}`, to])),
        forceDockerBundling: false,
        ...(props.nodeModules?.length ? { nodeModules: props.nodeModules } : {}),
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling,
        },
      },
    });

    logGroup.grantWrite(role);

    NagSuppressions.addResourceSuppressions(this, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is pinned on purpose: it is the LTS the code is built and tested on (esbuild target node22) ' +
          'and is offered in both AWS China regions; moving to a newer runtime is a deliberate upgrade.',
      },
    ]);
  }
}
