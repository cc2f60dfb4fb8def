/**
 * The one definition of the single DynamoDB table: keys, secondary indexes, TTL and stream.
 * Both the CDK stack (infra/) and the local bootstrap (shared/db/bootstrap.ts) read this,
 * so the table in AWS and the one in DynamoDB Local cannot drift apart.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const tableDefinition = {
  /** Default name; overridden by the TABLE_NAME environment variable. */
  defaultName: 'apprenticeship',
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [
    /** Listings by owner: a viewer's cohorts, organisations by kind, a payer bureau's subsidy lines. */
    { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    /** Second listing axis: members of a group HQ, a payee's subsidy lines, a chamber's demands. */
    { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
    /** Deadlines by jurisdiction and due date, for alerts and the daily scan (no Scan). */
    { name: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
  ] as const satisfies readonly IndexDefinition[],
  /** Epoch seconds; idempotency records expire through it. */
  ttlAttribute: 'expiresAt',
  stream: 'NEW_AND_OLD_IMAGES',
} as const;

export type IndexName = (typeof tableDefinition.indexes)[number]['name'];
