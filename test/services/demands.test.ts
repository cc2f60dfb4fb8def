import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/db/keys.js';
import type { RequestContext } from '../../shared/http/context.js';
import { toCohort } from '../../shared/db/cohorts.js';
import { DemandService, toDemand, type OpenCohortInput } from '../../shared/services/demands.js';
import type { CohortDesignService } from '../../shared/services/cohorts/design.js';
import { createHarness } from '../support/harness.js';
import { createWorld, design, type World } from '../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness());
});

const at = new Date('2026-05-12T02:00:00Z');
async function ctxOf(orgId: string, role: 'chamber' | 'enterprise'): Promise<RequestContext> {
  const org = await w.h.services.organizations.get(orgId);
  return { principal: { sub: `${role}-user`, orgId, role, org }, now: at, today: '2026-05-12', requestId: 'test' };
}

async function twoDemands() {
  const demands = w.h.services.demands;
  const body = { chamberId: w.orgs.chamber.id, occupationCode: w.occupation, level: 'intermediate' as const, headcount: 4, preferredStart: '2026-09-01' };
  const a = await demands.create(await ctxOf(w.orgs.smeA.id, 'enterprise'), body);
  const b = await demands.create(await ctxOf(w.orgs.smeB.id, 'enterprise'), { ...body, headcount: 6 });
  return [a, b];
}

const classInput = (demandIds: string[]): OpenCohortInput => {
  const { mode: _m, occupationCode: _o, level: _l, ...rest } = design(w) as Record<string, unknown>;
  return { ...(rest as Omit<OpenCohortInput, 'demandIds'>), demandIds };
};

const demandOf = async (id: string) => toDemand((await w.h.store.get(keys.demand(id)))!);
const cohortOf = async (id: string) => toCohort((await w.h.store.get(keys.cohort(id)))!);

describe('DemandService: a demand is taken at most once (conditional write on status = open)', () => {
  it('when another opening takes the demands first, the loser takes none of them and cancels its own draft (409 CONFLICT)', async () => {
    const [a, b] = await twoDemands();
    const chamber = await ctxOf(w.orgs.chamber.id, 'chamber');
    const real = w.h.services.cohorts;
    let winner: string | undefined;
    // The loser's own pre-check has passed; the competitor completes while it adds participants.
    const racing = Object.create(real) as CohortDesignService;
    racing.addParticipant = async (ctx, cohortId, enterpriseId) => {
      if (!winner) winner = (await w.h.services.demands.openCohort(chamber, classInput([a!.id, b!.id]))).id;
      return real.addParticipant(ctx, cohortId, enterpriseId);
    };
    const loser = new DemandService(w.h.store, w.h.services.organizations, w.h.services.occupations, racing);

    const error = await loser.openCohort(chamber, classInput([a!.id, b!.id])).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFLICT', status: 409 });
    for (const id of [a!.id, b!.id]) expect(await demandOf(id)).toMatchObject({ status: 'taken', cohortId: winner, version: 2 });

    const listing = await w.h.services.cohorts.list(chamber.principal, { limit: 50 });
    const mine = listing.items.filter((c) => c.occupationCode === w.occupation);
    expect(mine.filter((c) => c.status === 'draft').map((c) => c.id)).toEqual([winner]);
    const withdrawn = mine.find((c) => c.id !== winner)!;
    expect((await cohortOf(withdrawn.id)).status).toBe('cancelled');
    expect((await cohortOf(winner!)).participants.map((p) => p.enterpriseId)).toEqual([w.orgs.smeA.id, w.orgs.smeB.id]);
  });

  it('two openings at once: exactly one wins', async () => {
    const [a, b] = await twoDemands();
    const chamber = await ctxOf(w.orgs.chamber.id, 'chamber');
    const results = await Promise.allSettled([0, 1].map(() => w.h.services.demands.openCohort(chamber, classInput([a!.id, b!.id]))));
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<DemandService['openCohort']>>> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(['CONFLICT', 'INVALID_STATE']).toContain(lost.reason.code);
    for (const id of [a!.id, b!.id]) expect((await demandOf(id)).cohortId).toBe(won[0]!.value.id);
  });

  it('refuses a demand for an occupation, level or chamber that does not fit (R-OCC-1, R-JOINT-1)', async () => {
    const sme = await ctxOf(w.orgs.smeA.id, 'enterprise');
    const base = { chamberId: w.orgs.chamber.id, occupationCode: w.occupation, level: 'intermediate' as const, headcount: 3, preferredStart: '2026-09-01' };
    const rules = async (input: typeof base | Record<string, unknown>) =>
      w.h.services.demands.create(sme, input as typeof base).then(
        () => [],
        (e: { errors?: { rule?: string }[] }) => (e.errors ?? []).map((x) => x.rule),
      );
    expect(await rules({ ...base, chamberId: w.orgs.provider.id })).toEqual(['R-JOINT-1']);
    expect(await rules({ ...base, occupationCode: w.certOccupation })).toEqual(['R-OCC-1']);
    expect(await rules({ ...base, headcount: 501 })).toEqual(['DEMAND']);
    const chamber = await ctxOf(w.orgs.chamber.id, 'chamber');
    await expect(w.h.services.demands.create(chamber, base)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
