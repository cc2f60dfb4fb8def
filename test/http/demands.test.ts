import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { commitment, createWorld, design, ok, toPlanned, traineeBody, type World } from '../support/world.js';
import { keys } from '../../shared/db/keys.js';

let w: World;
let otherChamber: { token: string; id: string };
beforeAll(async () => {
  w = await createWorld(await createHarness());
  const chamber = await w.h.createOrg({ kind: 'chamber', district: '320211' });
  otherChamber = { id: chamber.id, token: await w.h.token(chamber.id, 'chamber') };
});

const now = '2026-05-10T10:00:00+08:00';
const demand = (w: World, overrides: Record<string, unknown> = {}) => ({
  chamberId: w.orgs.chamber.id,
  occupationCode: w.occupation,
  level: 'intermediate',
  headcount: 5,
  preferredStart: '2026-09-01',
  ...overrides,
});
const classBody = (w: World, demandIds: string[]) => {
  const { mode: _m, occupationCode: _o, level: _l, ...rest } = design(w, { name: '新吴区数控车工联合组班（汇总需求）' });
  return { demandIds, ...rest };
};

describe('demand pooling (§四): SMEs post demands, the chamber pools them into a joint class (R-JOINT-1)', () => {
  it('refuses a demand that is not addressed to a chamber or breaks R-OCC-1, and one posted by a non-enterprise', async () => {
    const { tokens, orgs } = w;
    const notChamber = await ok(w, 422, 'POST', '/v1/demands', { token: tokens.smeA, now, body: demand(w, { chamberId: orgs.smeB.id }) });
    expect(notChamber.errors.map((e: { rule: string; path: string }) => [e.rule, e.path])).toEqual([['R-JOINT-1', 'chamberId']]);
    const unknownChamber = await ok(w, 422, 'POST', '/v1/demands', { token: tokens.smeA, now, body: demand(w, { chamberId: 'NO-SUCH-ORG' }) });
    expect(unknownChamber.errors[0].rule).toBe('R-JOINT-1');
    const unknownOcc = await ok(w, 422, 'POST', '/v1/demands', { token: tokens.smeA, now, body: demand(w, { occupationCode: '9-99-99-99' }) });
    expect(unknownOcc.errors[0]).toMatchObject({ rule: 'R-OCC-1', path: 'occupationCode' });
    // R-OCC-1: an occupation without skill evaluation allows only `certificate`, one with it never does.
    const certOnly = await ok(w, 422, 'POST', '/v1/demands', { token: tokens.smeA, now, body: demand(w, { occupationCode: w.certOccupation, level: 'intermediate' }) });
    expect(certOnly.errors[0]).toMatchObject({ rule: 'R-OCC-1', path: 'level' });
    await ok(w, 422, 'POST', '/v1/demands', { token: tokens.smeA, now, body: demand(w, { level: 'certificate' }) });
    await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeC, now, body: demand(w, { occupationCode: w.certOccupation, level: 'certificate', headcount: 1 }) });
    // headcount 1..500, a real date: schema errors.
    for (const body of [demand(w, { headcount: 0 }), demand(w, { headcount: 501 }), demand(w, { headcount: 2.5 }), demand(w, { preferredStart: '2026-02-30' })]) {
      const res = await ok(w, 400, 'POST', '/v1/demands', { token: tokens.smeA, now, body });
      expect(res.code).toBe('VALIDATION_FAILED');
    }
    for (const token of [tokens.chamber, tokens.xinwu, tokens.provider]) {
      expect((await ok(w, 403, 'POST', '/v1/demands', { token, now, body: demand(w) })).code).toBe('FORBIDDEN');
    }
    // A preferred start already past (today is 2026-05-10 here) is refused; today itself is fine.
    const past = await ok(w, 422, 'POST', '/v1/demands', { token: tokens.smeA, now, body: demand(w, { preferredStart: '2026-05-09' }) });
    expect(past.errors[0]).toMatchObject({ path: 'preferredStart' });
    await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeC, now, body: demand(w, { occupationCode: w.certOccupation, level: 'certificate', headcount: 1, preferredStart: '2026-05-10' }) });
  });

  it('sums open demand per occupation and level for the chamber, opens a class from it, and never takes a demand twice', async () => {
    const { tokens, orgs } = w;
    const a1 = await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeA, now, body: demand(w, { headcount: 5 }) });
    const a2 = await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeA, now, body: demand(w, { headcount: 2, preferredStart: '2026-10-01' }) });
    const b1 = await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeB, now, body: demand(w, { headcount: 3 }) });
    const bSenior = await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeB, now, body: demand(w, { level: 'senior', headcount: 4 }) });
    const elsewhere = await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeC, now, body: demand(w, { chamberId: otherChamber.id, headcount: 6 }) });
    expect(a1).toMatchObject({ status: 'open', enterpriseId: orgs.smeA.id, enterpriseDistrict: '320214', chamberId: orgs.chamber.id, headcount: 5 });

    // Listings: an SME sees only its own, a chamber what is addressed to it.
    const mine = await ok(w, 200, 'GET', '/v1/demands', { token: tokens.smeA });
    expect(mine.items.map((d: { id: string }) => d.id).sort()).toEqual([a1.id, a2.id].sort());
    const pool = await ok(w, 200, 'GET', '/v1/demands?status=open', { token: tokens.chamber });
    expect(pool.items.map((d: { id: string }) => d.id)).toEqual(expect.arrayContaining([a1.id, a2.id, b1.id, bSenior.id]));
    expect(pool.items.map((d: { id: string }) => d.id)).not.toContain(elsewhere.id);
    expect((await ok(w, 200, 'GET', '/v1/demands', { token: otherChamber.token })).items.map((d: { id: string }) => d.id)).toEqual([elsewhere.id]);
    expect((await ok(w, 403, 'GET', '/v1/demands', { token: tokens.xinwu })).code).toBe('FORBIDDEN');
    await ok(w, 404, 'GET', `/v1/demands/${a1.id}`, { token: tokens.smeB });
    await ok(w, 404, 'GET', `/v1/demands/${a1.id}`, { token: otherChamber.token });
    await ok(w, 200, 'GET', `/v1/demands/${a1.id}`, { token: tokens.chamber });

    // The summary: per (occupation, level), over open demands, with the enterprises behind it.
    const summary = await ok(w, 200, 'GET', `/v1/demands/summary?chamberId=${orgs.chamber.id}`, { token: tokens.chamber });
    const intermediate = summary.items.find((i: { occupationCode: string; level: string }) => i.occupationCode === w.occupation && i.level === 'intermediate');
    expect(intermediate).toMatchObject({ enterprises: 2, headcount: 10, demands: 3 });
    expect(intermediate.demandIds.sort()).toEqual([a1.id, a2.id, b1.id].sort());
    expect(intermediate.enterpriseIds.sort()).toEqual([orgs.smeA.id, orgs.smeB.id].sort());
    expect(summary.items.find((i: { level: string }) => i.level === 'senior')).toMatchObject({ enterprises: 1, headcount: 4 });
    // Only the chamber itself (another chamber: not visible), auditors may read any.
    expect((await ok(w, 403, 'GET', `/v1/demands/summary?chamberId=${orgs.chamber.id}`, { token: tokens.smeA })).code).toBe('FORBIDDEN');
    expect((await ok(w, 404, 'GET', `/v1/demands/summary?chamberId=${orgs.chamber.id}`, { token: otherChamber.token })).code).toBe('NOT_FOUND');
    await ok(w, 200, 'GET', `/v1/demands/summary?chamberId=${orgs.chamber.id}`, { token: tokens.auditor });

    // One class trains one occupation at one level; only this chamber's demands.
    const mixed = await ok(w, 422, 'POST', '/v1/demands/cohort', { token: tokens.chamber, now, body: classBody(w, [a1.id, bSenior.id]) });
    expect(mixed.errors[0].rule).toBe('R-JOINT-1');
    await ok(w, 404, 'POST', '/v1/demands/cohort', { token: tokens.chamber, now, body: classBody(w, [a1.id, elsewhere.id]) });
    await ok(w, 403, 'POST', '/v1/demands/cohort', { token: tokens.smeA, now, body: classBody(w, [a1.id]) });

    const cohort = await ok(w, 201, 'POST', '/v1/demands/cohort', { token: tokens.chamber, now, body: classBody(w, [a1.id, a2.id, b1.id]) });
    expect(cohort).toMatchObject({ mode: 'joint', status: 'draft', organizerId: orgs.chamber.id, occupationCode: w.occupation, level: 'intermediate', reviewBureauId: orgs.xinwu.id });
    expect(cohort.participants.map((p: { enterpriseId: string }) => p.enterpriseId)).toEqual([orgs.smeA.id, orgs.smeB.id]);

    for (const d of [a1, a2, b1]) {
      const taken = await ok(w, 200, 'GET', `/v1/demands/${d.id}`, { token: tokens.chamber });
      expect(taken).toMatchObject({ status: 'taken', cohortId: cohort.id, version: 2 });
      const events = await ok(w, 200, 'GET', `/v1/demands/${d.id}/events`, { token: tokens.auditor });
      expect(events.items.map((e: { action: string }) => e.action)).toEqual(['demand.created', 'demand.taken']);
      expect(events.items[1].after).toMatchObject({ status: 'taken', cohortId: cohort.id });
    }
    // Taken demand leaves the pool and the summary; the SME sees it taken with the class.
    expect((await ok(w, 200, 'GET', '/v1/demands?status=taken', { token: tokens.smeA })).items).toHaveLength(2);
    const after = await ok(w, 200, 'GET', '/v1/demands/summary', { token: tokens.chamber });
    expect(after.items.filter((i: { occupationCode: string }) => i.occupationCode === w.occupation)).toEqual([expect.objectContaining({ level: 'senior', headcount: 4 })]);

    // A third attempt to take a demand already taken fails and creates nothing.
    const before = (await ok(w, 200, 'GET', '/v1/cohorts', { token: tokens.chamber })).items.length;
    const again = await ok(w, 409, 'POST', '/v1/demands/cohort', { token: tokens.chamber, now, body: classBody(w, [b1.id]) });
    expect(again.code).toBe('INVALID_STATE');
    expect(again.detail).toContain(cohort.id);
    expect((await ok(w, 200, 'GET', '/v1/cohorts', { token: tokens.chamber })).items.length).toBe(before);
    expect((await ok(w, 200, 'GET', `/v1/demands/${b1.id}`, { token: tokens.chamber })).cohortId).toBe(cohort.id);
  });

  it('cancelling the class returns its demands to the pool; they can be pooled again', async () => {
    const { tokens, orgs } = w;
    const occupation = `6-18-02-${Math.floor(Math.random() * 90 + 10)}`;
    await w.h.call('POST', '/v1/occupations', { token: w.h.adminToken, body: { code: occupation, name: '铣工', skillEvaluation: true } });
    const d1 = await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeA, now, body: demand(w, { occupationCode: occupation, headcount: 3 }) });
    const d2 = await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeB, now, body: demand(w, { occupationCode: occupation, headcount: 2 }) });
    const body = { ...classBody(w, [d1.id, d2.id]), name: '铣工联合组班' };
    const cohort = await ok(w, 201, 'POST', '/v1/demands/cohort', { token: tokens.chamber, now, body });
    expect(cohort.fromDemands).toEqual([d1.id, d2.id]);
    const pool = async () => (await ok(w, 200, 'GET', '/v1/demands/summary', { token: tokens.chamber })).items.filter((i: { occupationCode: string }) => i.occupationCode === occupation);
    expect(await pool()).toEqual([]);

    // An enterprise removed from the draft gets its demand back first; the class keeps the other.
    const d3 = await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeC, now, body: demand(w, { occupationCode: occupation, headcount: 1 }) });
    const three = await ok(w, 201, 'POST', '/v1/demands/cohort', { token: tokens.chamber, now, body: { ...classBody(w, [d3.id]), name: '铣工联合组班（二）' } });
    await ok(w, 204, 'DELETE', `/v1/cohorts/${three.id}/participants/${orgs.smeC.id}`, { token: tokens.chamber, now });
    expect((await ok(w, 200, 'GET', `/v1/demands/${d3.id}`, { token: tokens.chamber })).status).toBe('open');
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${three.id}`, { token: tokens.chamber })).fromDemands).toEqual([]);
    await ok(w, 200, 'POST', `/v1/cohorts/${three.id}/cancel`, { token: tokens.chamber, now });

    const cancelled = await ok(w, 200, 'POST', `/v1/cohorts/${cohort.id}/cancel`, { token: tokens.chamber, now, body: { reason: '企业需求调整' } });
    expect(cancelled.status).toBe('cancelled');
    for (const d of [d1, d2]) {
      const back = await ok(w, 200, 'GET', `/v1/demands/${d.id}`, { token: tokens.chamber });
      expect([back.status, back.cohortId, back.version]).toEqual(['open', undefined, 3]);
    }
    expect(await pool()).toEqual([expect.objectContaining({ level: 'intermediate', headcount: 6, enterprises: 3 })]);
    // Each demand's own trail records its return (R-AUDIT-1).
    for (const d of [d1, d2]) {
      const events = await ok(w, 200, 'GET', `/v1/demands/${d.id}/events`, { token: tokens.auditor });
      expect(events.items.map((e: { action: string }) => e.action)).toEqual(['demand.created', 'demand.taken', 'demand.released']);
    }
    // Cancelling again changes nothing more…
    expect((await w.h.call('POST', `/v1/cohorts/${cohort.id}/cancel`, { token: tokens.chamber, now })).status).toBe(409);
    // …unless a return was lost after the cancellation was written (simulated here): then it finishes it.
    const raw = (await w.h.store.get(keys.demand(d2.id)))!;
    await w.h.store.transact([{ op: { Put: { Item: { ...raw, status: 'taken', cohortId: cohort.id } } } }]);
    expect((await ok(w, 200, 'POST', `/v1/cohorts/${cohort.id}/cancel`, { token: tokens.chamber, now })).status).toBe('cancelled');
    expect((await ok(w, 200, 'GET', `/v1/demands/${d2.id}`, { token: tokens.chamber })).status).toBe('open');
    const again = await ok(w, 201, 'POST', '/v1/demands/cohort', { token: tokens.chamber, now, body });
    expect(again.participants.map((p: { enterpriseId: string }) => p.enterpriseId)).toEqual([orgs.smeA.id, orgs.smeB.id]);
  });

  it('an enterprise withdrawn after the filing deadline gets its demand back with its trainees released', async () => {
    const { tokens, orgs } = w;
    const occupation = `6-18-03-${Math.floor(Math.random() * 90 + 10)}`;
    await w.h.call('POST', '/v1/occupations', { token: w.h.adminToken, body: { code: occupation, name: '钳工', skillEvaluation: true } });
    const smes = [
      { id: orgs.smeA.id, token: tokens.smeA, district: '320214' },
      { id: orgs.smeB.id, token: tokens.smeB, district: '320211' },
      { id: orgs.smeC.id, token: tokens.smeC, district: '320213' },
    ];
    const ds = [];
    for (const e of smes) ds.push(await ok(w, 201, 'POST', '/v1/demands', { token: e.token, now, body: demand(w, { occupationCode: occupation, headcount: 1 }) }));
    const c = await ok(w, 201, 'POST', '/v1/demands/cohort', { token: tokens.chamber, now, body: { ...classBody(w, ds.map((d) => d.id)), name: '钳工联合组班' } });
    const p = `/v1/cohorts/${c.id}`;
    for (const e of smes) await ok(w, 201, 'POST', `${p}/trainees`, { token: e.token, now, body: traineeBody(e.id, e.district) });
    await ok(w, 201, 'POST', `${p}/mentors`, { token: tokens.chamber, now, body: { kind: 'enterprise', name: '王师傅', organizationId: orgs.smeA.id } });
    await ok(w, 201, 'POST', `${p}/mentors`, { token: tokens.provider, now, body: { kind: 'school', name: '李老师', organizationId: orgs.provider.id } });
    await ok(w, 201, 'POST', `${p}/agreement`, { token: tokens.chamber, now });
    for (const token of [tokens.chamber, ...smes.map((e) => e.token), tokens.provider]) await ok(w, 201, 'POST', `${p}/agreement/signatures`, { token, now, body: { signerName: '签署人' } });
    await toPlanned(w, c.id, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    for (const e of smes.slice(0, 2)) await ok(w, 201, 'POST', `${p}/filings`, { token: e.token, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: e.id, commitment } });
    await ok(w, 204, 'DELETE', `${p}/participants/${orgs.smeC.id}`, { token: tokens.chamber, now: '2026-07-27T10:00:00+08:00' });
    const after = await ok(w, 200, 'GET', p, { token: tokens.chamber });
    expect([after.status, after.fromDemands]).toEqual(['filed', [ds[0].id, ds[1].id]]);
    expect((await ok(w, 200, 'GET', `/v1/demands/${ds[2].id}`, { token: tokens.smeC })).status).toBe('open');
  });

  it('pages the listings with limit and cursor', async () => {
    const { tokens } = w;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await ok(w, 200, 'GET', `/v1/demands?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: tokens.chamber });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = await ok(w, 200, 'GET', '/v1/demands?limit=200', { token: tokens.chamber });
    expect(seen).toEqual(all.items.map((d: { id: string }) => d.id));
    // A cursor is bound to its query.
    const first = await ok(w, 200, 'GET', '/v1/demands?limit=1', { token: tokens.chamber });
    await ok(w, 400, 'GET', `/v1/demands?limit=1&status=open&cursor=${first.nextCursor}`, { token: tokens.chamber });
  });
});
