/**
 * A joint class at the size the config allows: 450 trainees of 60 SMEs insured in 5 districts of
 * 无锡 (锡山 320205, 惠山 320206, 滨湖 320211, 梁溪 320213, 新吴 320214), closed through the API.
 * Every line is checked against amounts computed independently with the pure domain functions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { bureausByDistrict, createWorld, ok, RecordingStore, seededDraft, storeFactory, toClosingReview, toPlanned, type Outcome, type World } from '../support/world.js';
import { cityShareBasisPointsFor, splitShares, traineeSubsidy, type PolicyVersion } from '../../shared/domain/subsidy.js';

const DISTRICTS = ['320205', '320206', '320211', '320213', '320214'] as const;
const policy: PolicyVersion = {
  version: '锡人社〔2026〕分担比例',
  effectiveFrom: '2026-08-01',
  ratesYuanPerYear: { intermediate: 5000, senior: 6000, technician: 7000, senior_technician: 8000, certificate: 5000 },
  defaultCityShareBasisPoints: 5000,
  // R-SUB-5: per district, including an awkward third so rounding is exercised.
  cityShareBasisPointsByDistrict: { '320205': 4000, '320206': 6000, '320211': 3333, '320214': 7000 },
};

let w: World;

let store: RecordingStore;
let bureauOf: Map<string, { id: string; token: string }>;

beforeAll(async () => {
  const h = await createHarness({}, storeFactory(RecordingStore));
  store = h.store as RecordingStore;
  w = await createWorld(h);
  bureauOf = await bureausByDistrict(w, ['320205', '320206']);
  await ok(w, 201, 'POST', '/v1/policy/versions', { token: w.tokens.admin, now: '2026-05-01T10:00:00+08:00', body: policy });
});

describe('R-JOINT-3, R-ROUTE-2, R-SUB-2..5: a 450-trainee joint class of 60 SMEs over 5 districts', () => {
  it('closes with one line per (payee, payer) whose amounts match an independent computation', { timeout: 300_000 }, async () => {
    const started = performance.now();
    const enterprises: { id: string; token: string; district: string }[] = [];
    for (let i = 0; i < 60; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, k) => w.h.createOrg({ kind: 'enterprise', district: DISTRICTS[(i + k) % 5]!, name: `无锡第${i + k + 1}精密制造有限公司` })));
      for (const e of batch) enterprises.push({ id: e.id, token: await w.h.token(e.id, 'enterprise'), district: e.district });
    }
    // Enterprise j has 7 or 8 trainees insured in 1..5 districts: 450 trainees, lines of varied size.
    const participants = enterprises.map((e, j) => {
      const spread = 1 + (j % 5);
      const count = j < 30 ? 8 : 7;
      return { ...e, insured: Array.from({ length: count }, (_, k) => DISTRICTS[(j + (k % spread)) % 5]!) };
    });
    // Trainees seeded through the data layer (see seededDraft); everything else through the API.
    const draft = await seededDraft(w, { participants });
    expect(draft.trainees).toHaveLength(450);
    const built = performance.now();

    const planned = await toPlanned(w, draft.cohortId, { organizer: w.tokens.chamber, bureau: w.tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: w.tokens.experts.slice(0, 3) });
    expect(planned.participants).toHaveLength(60);
    const outcome = (_t: unknown, i: number): Outcome => (i % 15 === 7 ? 'departed' : i % 15 === 3 ? 'failed' : 'passed');
    const assessedDays = ['2027-06-15', '2027-07-01', '2027-07-31', '2027-08-10'];
    const assessedOn = (_t: unknown, i: number) => assessedDays[i % 4]!;
    await toClosingReview(w, { cohortId: draft.cohortId, organizer: w.tokens.chamber, participants, bureaus: DISTRICTS.map((d) => bureauOf.get(d)!.token), trainees: draft.trainees, outcome, assessedOn });
    const reviewed = performance.now();

    const acceptStart = performance.now();
    const writesBefore = store.transactions.length;
    const closed = await ok(w, 200, 'POST', `/v1/cohorts/${draft.cohortId}/closing/accept`, { token: w.tokens.xinwu, now: '2027-08-25T10:00:00+08:00' });
    const acceptMs = performance.now() - acceptStart;
    expect(closed.status).toBe('closed');
    // R-AUDIT-1: each of the acceptance's transactions (staging chunks, flip, listing chunks, done)
    // carries its own event, whose action is the transaction's label.
    const acceptance = store.transactions.slice(writesBefore).map((t) => t.label);
    expect(acceptance.length).toBeGreaterThan(3);
    expect(acceptance.filter((label) => !/^(subsidy|closing)\.[a-z_]+$/.test(label))).toEqual([]);

    // Independent computation: R-SUB-2 per trainee, R-SUB-4 grouping, R-SUB-5 split.
    const expected = new Map<string, { payeeId: string; payerBureauId: string; district: string; traineeIds: string[]; amountFen: number }>();
    for (const [i, t] of draft.trainees.entries()) {
      if (outcome(t, i) !== 'passed') continue;
      const { amountFen } = traineeSubsidy({ level: 'intermediate', policy, trainingStart: '2026-09-01', assessedOn: assessedOn(t, i), plannedStart: '2026-09-01', plannedEnd: '2027-08-31' });
      const payer = bureauOf.get(t.insuredDistrict)!.id;
      const key = `${t.enterpriseId}|${payer}`;
      const line = expected.get(key) ?? { payeeId: t.enterpriseId, payerBureauId: payer, district: t.insuredDistrict, traineeIds: [], amountFen: 0 };
      line.traineeIds.push(t.id);
      line.amountFen += amountFen;
      expected.set(key, line);
    }

    const subsidy = await ok(w, 200, 'GET', `/v1/cohorts/${draft.cohortId}/subsidy`, { token: w.tokens.xinwu });
    expect(subsidy.lines).toHaveLength(expected.size);
    expect(subsidy.policyVersion).toBe(policy.version);
    const seen = new Set<string>();
    for (const line of subsidy.lines) {
      const key = `${line.payeeId}|${line.payerBureauId}`;
      expect(seen.has(key), `one line per (payee, payer): ${key}`).toBe(false);
      seen.add(key);
      const want = expected.get(key);
      expect(want, `unexpected line ${key}`).toBeDefined();
      expect(line.district).toBe(want!.district);
      expect([...line.traineeIds].sort()).toEqual([...want!.traineeIds].sort());
      expect(line.amountFen).toBe(want!.amountFen);
      expect(line.amountFen).toBe(line.trainees.reduce((s: number, t: { amountFen: number }) => s + t.amountFen, 0));
      const bp = cityShareBasisPointsFor(policy, want!.district);
      expect(line.cityShareBasisPoints).toBe(bp);
      expect({ cityShareFen: line.cityShareFen, districtShareFen: line.districtShareFen }).toEqual(splitShares(want!.amountFen, bp));
      expect(line.cityShareFen + line.districtShareFen).toBe(line.amountFen);
      expect(line.status).toBe('pending');
    }
    const total = [...expected.values()].reduce((s, l) => s + l.amountFen, 0);
    expect(subsidy.totalFen).toBe(total);
    expect(subsidy.lines.flatMap((l: { traineeIds: string[] }) => l.traineeIds)).toHaveLength(390);

    // Every payer bureau lists exactly its own lines (R-ROUTE-2), all published for disbursement.
    for (const d of DISTRICTS) {
      const b = bureauOf.get(d)!;
      const listed = await ok(w, 200, 'GET', '/v1/disbursements?limit=200', { token: b.token });
      const own = [...expected.values()].filter((l) => l.payerBureauId === b.id);
      expect(listed.items).toHaveLength(own.length);
      expect(listed.nextCursor).toBeNull();
      expect(listed.items.every((l: { payerBureauId: string; cohortId: string }) => l.payerBureauId === b.id && l.cohortId === draft.cohortId)).toBe(true);
    }

    const allEvents: { action: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { action: string }[]; nextCursor: string | null } = await ok(w, 200, 'GET', `/v1/cohorts/${draft.cohortId}/events?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: w.tokens.auditor });
      allEvents.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(allEvents.filter((e) => e.action === 'closing.accepted')).toHaveLength(1);

    // No transaction of the whole lifecycle exceeded DynamoDB's 100 items.
    const largest = store.largest().filter((t) => !['trainee (Put)', 'trainees.seeded'].includes(t.label));
    expect(largest[0]!.items).toBeLessThanOrEqual(100);
    console.info(
      `[450-trainee class] ${subsidy.lines.length} lines; build ${Math.round(built - started)} ms, to closing_review ${Math.round(reviewed - built)} ms, ` +
        `accept ${Math.round(acceptMs)} ms; largest transactions: ${largest.slice(0, 6).map((t) => `${t.label}=${t.items}`).join(', ')}`,
    );
  });
});
