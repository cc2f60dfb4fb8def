/**
 * Demand items (需求, SPEC "Demand"): their keys and listing indexes, and the one write that returns a
 * taken demand to the pool. GSI1 = the enterprise's demands, GSI2 = the chamber's demands (sort key
 * status#occupation#level, so a chamber's open pool is one Query), GSI3 = every demand (auditors).
 */
import type { Level } from '../domain/levels.js';
import { indexKeys, keys } from './keys.js';
import { storedItem, type WriteOp } from './store.js';

/** What the listing keys of a demand are made of. */
export interface DemandKeyParts {
  id: string;
  enterpriseId: string;
  chamberId: string;
  occupationCode: string;
  level: Level;
}

const listingKeys = (d: DemandKeyParts, status: string) => ({
  GSI1PK: indexKeys.enterpriseDemands(d.enterpriseId),
  GSI1SK: `${status}#${d.id}`,
  GSI2PK: indexKeys.chamberDemands(d.chamberId),
  GSI2SK: `${status}#${d.occupationCode}#${d.level}#${d.id}`,
  GSI3PK: indexKeys.allDemands,
  GSI3SK: `${status}#${d.id}`,
});

export const demandItem = <D extends DemandKeyParts & { status: string }>(d: D) => storedItem(keys.demand(d.id), 'demand', d, listingKeys(d, d.status));

/**
 * A demand taken by `cohortId` goes back to `open` (the class it was pooled into was cancelled), with
 * its listing keys, so that the chamber's summary counts it again. The condition makes sure it is
 * still that class's: a demand another class has taken since is never reopened.
 */
export function releaseDemandOp(d: DemandKeyParts, cohortId: string): WriteOp {
  const open = listingKeys(d, 'open');
  return {
    op: {
      Update: {
        Key: keys.demand(d.id),
        UpdateExpression: 'SET #s = :open, GSI1SK = :g1, GSI2SK = :g2, GSI3SK = :g3, #v = #v + :one REMOVE cohortId, takenAt, takenBy',
        ConditionExpression: '#s = :taken AND cohortId = :c',
        ExpressionAttributeNames: { '#s': 'status', '#v': 'version' },
        ExpressionAttributeValues: { ':open': 'open', ':taken': 'taken', ':g1': open.GSI1SK, ':g2': open.GSI2SK, ':g3': open.GSI3SK, ':one': 1, ':c': cohortId },
      },
    },
  };
}
