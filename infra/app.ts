/**
 * CDK entry (`npx cdk synth`, `npx cdk deploy`); cdk.json runs it with tsx.
 *
 * Offline and credential-free by default: the stack is environment-agnostic (no lookups) unless
 * `-c region=<region>` pins it, e.g. for AWS China:
 *   npx cdk deploy -c region=cn-north-1 -c oidcIssuer=https://idp.example.cn -c oidcAudience=<client id>
 * Other context: stage (prod), architecture (arm64|x86_64), logRetentionDays (365), apiMemoryMb (1024),
 * throttleRateLimit / throttleBurstLimit, oidcJwksUrl, orgClaim, roleClaim.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApprenticeshipStack } from './stack.js';

const app = new App();

const region: unknown = app.node.tryGetContext('region');
const env =
  typeof region === 'string' && region !== ''
    ? { region, account: process.env.CDK_DEFAULT_ACCOUNT }
    : undefined;

try {
  new ApprenticeshipStack(app, 'Apprenticeship', {
    env,
    description: 'Joint enterprise new-type apprenticeship cohorts (企业新型学徒制联合组班) API',
  });
} catch (error) {
  // Settings errors (e.g. a cn- region without -c oidcIssuer) read better without a stack trace.
  console.error(`Cannot synthesise the stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
