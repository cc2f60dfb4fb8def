/**
 * Class design rules over HTTP against DynamoDB Local: R-OCC-1, R-PERIOD-1, R-CURR-1..3,
 * R-MENTOR-1, R-JOINT-1, R-JOINT-2, R-GROUP-1 and R-ROUTE-1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../../support/harness.js';
import { createWorld, design, ok, readyDraft, refused, rulesOf, traineeBody, warningRules, type World } from '../../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness());
});

const NOW = '2026-06-01T10:00:00+08:00';
const create = (token: string, overrides: Record<string, unknown> = {}) => w.h.call('POST', '/v1/cohorts', { token, now: NOW, body: design(w, overrides) });
const createOk = async (token: string, overrides: Record<string, unknown> = {}) => ok(w, 201, 'POST', '/v1/cohorts', { token, now: NOW, body: design(w, overrides) });
const createRefused = async (token: string, overrides: Record<string, unknown>, rule: string) => {
  const problem = await refused(w, 422, 'RULE_VIOLATION', 'POST', '/v1/cohorts', { token, now: NOW, body: design(w, overrides) });
  expect(rulesOf(problem)).toContain(rule);
  return problem;
};
const twoSmes = () => [
  { id: w.orgs.smeA.id, token: w.tokens.smeA, district: '320214', trainees: 1 },
  { id: w.orgs.smeB.id, token: w.tokens.smeB, district: '320211', trainees: 1 },
];

describe('R-OCC-1: the levels an occupation allows', () => {
  it('R-OCC-1: an occupation with skill evaluation takes the four skill levels and refuses `certificate`', async () => {
    for (const level of ['intermediate', 'senior', 'technician', 'senior_technician']) {
      expect((await create(w.tokens.chamber, { level })).status, level).toBe(201);
    }
    await createRefused(w.tokens.chamber, { level: 'certificate' }, 'R-OCC-1');
  });

  it('R-OCC-1: an occupation without skill evaluation takes only `certificate`', async () => {
    await createOk(w.tokens.chamber, { occupationCode: w.certOccupation, level: 'certificate' });
    for (const level of ['intermediate', 'senior']) await createRefused(w.tokens.chamber, { occupationCode: w.certOccupation, level }, 'R-OCC-1');
  });

  it('R-OCC-1: an unknown occupation is refused', async () => {
    await createRefused(w.tokens.chamber, { occupationCode: '9-99-99-99' }, 'R-OCC-1');
  });

  it('PATCH refuses a field it cannot change (another mode, status, unknown) with 400, instead of dropping it; the same mode is fine', async () => {
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.chamber, now: NOW, body: design(w) });
    for (const [body, path] of [[{ mode: 'enterprise' }, 'mode'], [{ status: 'planned' }, '(body)'], [{ name: '新名称', bogus: 1 }, '(body)']] as const) {
      const p = await refused(w, 400, 'VALIDATION_FAILED', 'PATCH', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber, now: NOW, body });
      expect(p.errors![0]!.path).toBe(path);
    }
    expect(await ok(w, 200, 'GET', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber })).toMatchObject({ mode: 'joint', name: c.name, version: c.version });
    const renamed = await ok(w, 200, 'PATCH', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber, now: NOW, body: { mode: 'joint', name: '新名称' } });
    expect([renamed.mode, renamed.name, renamed.version]).toEqual(['joint', '新名称', c.version + 1]);
  });

  it('R-OCC-1: PATCH to a level the occupation does not allow is refused and changes nothing', async () => {
    const c = await createOk(w.tokens.chamber);
    const problem = await refused(w, 422, 'RULE_VIOLATION', 'PATCH', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber, now: NOW, body: { level: 'certificate' } });
    expect(rulesOf(problem)).toEqual(['R-OCC-1']);
    const after = await ok(w, 200, 'GET', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber });
    expect([after.level, after.version]).toEqual(['intermediate', 1]);
  });
});

describe('R-PERIOD-1: planned period 12–24 months, 25–36 with an extension reason, never over 36 (both end dates count)', () => {
  const start = '2026-09-01';
  const cases: { months: number; plannedEnd: string }[] = [
    { months: 11, plannedEnd: '2027-07-31' },
    { months: 12, plannedEnd: '2027-08-31' },
    { months: 24, plannedEnd: '2028-08-31' },
    { months: 25, plannedEnd: '2028-09-30' },
    { months: 36, plannedEnd: '2029-08-31' },
    { months: 37, plannedEnd: '2029-09-30' },
  ];
  const allowed = (months: number, withReason: boolean) => months >= 12 && months <= 36 && (months <= 24 || withReason);

  for (const { months, plannedEnd } of cases) {
    for (const withReason of [false, true]) {
      const verdict = allowed(months, withReason) ? 'accepted' : 'refused';
      it(`R-PERIOD-1: ${months} months ${withReason ? 'with' : 'without'} extensionReason is ${verdict} at creation`, async () => {
        const overrides = { plannedStart: start, plannedEnd, ...(withReason ? { extensionReason: '企业生产周期长，需延长培训期' } : {}) };
        if (allowed(months, withReason)) await createOk(w.tokens.chamber, overrides);
        else await createRefused(w.tokens.chamber, overrides, 'R-PERIOD-1');
      });
    }
  }

  it('R-PERIOD-1: the last day counts, 2026-09-01 … 2027-08-30 is 11 months and refused', async () => {
    await createRefused(w.tokens.chamber, { plannedEnd: '2027-08-30' }, 'R-PERIOD-1');
  });

  it('R-PERIOD-1: an end before the start is refused', async () => {
    await createRefused(w.tokens.chamber, { plannedEnd: '2026-08-31' }, 'R-PERIOD-1');
  });

  it('R-PERIOD-1: PATCH checks the merged design: 25 months needs a reason, 37 is refused even with one', async () => {
    const c = await createOk(w.tokens.chamber);
    const path = `/v1/cohorts/${c.id}`;
    const opts = (body: object) => ({ token: w.tokens.chamber, now: NOW, body });
    expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'PATCH', path, opts({ plannedEnd: '2028-09-30' })))).toEqual(['R-PERIOD-1']);
    const extended = await ok(w, 200, 'PATCH', path, opts({ plannedEnd: '2028-09-30', extensionReason: '特殊工种需延长' }));
    expect([extended.plannedEnd, extended.extensionReason, extended.version]).toEqual(['2028-09-30', '特殊工种需延长', 2]);
    // The stored reason still covers a later change within 36 months.
    expect((await ok(w, 200, 'PATCH', path, opts({ plannedEnd: '2029-08-31' }))).plannedEnd).toBe('2029-08-31');
    expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'PATCH', path, opts({ plannedEnd: '2029-09-30', extensionReason: '再延长' })))).toEqual(['R-PERIOD-1']);
    expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'PATCH', path, opts({ plannedStart: '2026-09-01', plannedEnd: '2027-07-31' })))).toEqual(['R-PERIOD-1']);
    const after = await ok(w, 200, 'GET', path, { token: w.tokens.chamber });
    expect([after.plannedEnd, after.version]).toEqual(['2029-08-31', 3]);
  });
});

describe('R-CURR-1: online hours at most 40% of total, hard at submission', () => {
  const curriculum = (onlineHours: number) => ({ generalHours: 80, theoryHours: 240, practiceHours: 480, onlineHours });

  it('R-CURR-1: exactly 40% online (320 of 800 hours) is submitted', async () => {
    const { cohortId } = await readyDraft(w, { participants: twoSmes(), designOverrides: { curriculum: curriculum(320) } });
    expect((await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: NOW })).status).toBe('submitted');
  });

  it('R-CURR-1: 321 of 800 hours online is shown early as a warning, refused at submission with 422 RULE_VIOLATION, then submitted once fixed', async () => {
    const { cohortId } = await readyDraft(w, { participants: twoSmes(), designOverrides: { curriculum: curriculum(321) } });
    const draft = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber });
    expect(warningRules(draft)).toContain('R-CURR-1');
    const problem = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: NOW });
    expect(problem.errors).toEqual([expect.objectContaining({ rule: 'R-CURR-1', path: 'onlineHours' })]);
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber })).status).toBe('draft');
    await ok(w, 200, 'PATCH', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber, now: NOW, body: { curriculum: curriculum(320) } });
    expect((await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: NOW })).status).toBe('submitted');
  });
});

describe('R-CURR-2 and R-CURR-3: curriculum shape gives warnings on the cohort, never errors', () => {
  it('R-CURR-2: the default 1:3:6 gives no warning; exactly 10 points off gives none either', async () => {
    expect((await createOk(w.tokens.chamber)).warnings).toEqual([]);
    // general 20% (+10), theory 30%, practice 50% (−10): at the tolerance, not beyond it.
    const edge = await createOk(w.tokens.chamber, { curriculum: { generalHours: 160, theoryHours: 240, practiceHours: 400, onlineHours: 100 } });
    expect(edge.warnings).toEqual([]);
  });

  it('R-CURR-2: more than 10 points off in a share warns per share, and the class is still submitted', async () => {
    // general 25% (+15), theory 30% (0), practice 45% (−15).
    const curriculum = { generalHours: 200, theoryHours: 240, practiceHours: 360, onlineHours: 100 };
    const { cohortId } = await readyDraft(w, { participants: twoSmes(), designOverrides: { curriculum } });
    const draft = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber });
    expect(draft.warnings.map((x: { rule: string; path: string }) => [x.rule, x.path])).toEqual([
      ['R-CURR-2', 'generalHours'],
      ['R-CURR-2', 'practiceHours'],
    ]);
    const submitted = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: NOW });
    expect([submitted.status, warningRules(submitted)]).toEqual(['submitted', ['R-CURR-2']]);
  });

  it('R-CURR-3: online hours above general + theory warn (practice is offline), and the class is still submitted', async () => {
    // 5% / 25% / 70%: within R-CURR-2 tolerance; online 35% ≤ 40% but 280 > 40 + 200.
    const curriculum = { generalHours: 40, theoryHours: 200, practiceHours: 560, onlineHours: 280 };
    const { cohortId } = await readyDraft(w, { participants: twoSmes(), designOverrides: { curriculum } });
    const submitted = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: NOW });
    expect([submitted.status, warningRules(submitted)]).toEqual(['submitted', ['R-CURR-3']]);
  });
});

/** A joint draft of SME A and B with one trainee each, an effective agreement, and only the given mentors. */
async function draftWithMentors(kinds: ('enterprise' | 'school')[]) {
  const { orgs, tokens } = w;
  const c = await createOk(tokens.chamber);
  for (const [id, token, district] of [[orgs.smeA.id, tokens.smeA, '320214'], [orgs.smeB.id, tokens.smeB, '320211']] as const) {
    await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/participants`, { token: tokens.chamber, now: NOW, body: { enterpriseId: id } });
    await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/trainees`, { token, now: NOW, body: traineeBody(id, district) });
  }
  if (kinds.includes('enterprise')) await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/mentors`, { token: tokens.chamber, now: NOW, body: { kind: 'enterprise', name: '王师傅', organizationId: orgs.smeB.id } });
  if (kinds.includes('school')) await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/mentors`, { token: tokens.provider, now: NOW, body: { kind: 'school', name: '李老师', organizationId: orgs.provider.id } });
  await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/agreement`, { token: tokens.chamber, now: NOW });
  for (const token of [tokens.chamber, tokens.smeA, tokens.smeB, tokens.provider]) {
    await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/agreement/signatures`, { token, now: NOW, body: { signerName: '签署人' } });
  }
  return c.id as string;
}

describe('R-MENTOR-1: an enterprise mentor and a school mentor before submission (双导师)', () => {
  it('R-MENTOR-1: submission without a school mentor is refused', async () => {
    const id = await draftWithMentors(['enterprise']);
    const problem = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${id}/submit`, { token: w.tokens.chamber, now: NOW });
    expect(rulesOf(problem)).toEqual(['R-MENTOR-1']);
    expect(problem.detail).toMatch(/school mentor/);
  });

  it('R-MENTOR-1: submission without an enterprise mentor is refused', async () => {
    const id = await draftWithMentors(['school']);
    const problem = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${id}/submit`, { token: w.tokens.chamber, now: NOW });
    expect(rulesOf(problem)).toEqual(['R-MENTOR-1']);
    expect(problem.detail).toMatch(/enterprise mentor/);
  });

  it('R-MENTOR-1: with both mentors the class is submitted', async () => {
    const id = await draftWithMentors(['enterprise', 'school']);
    expect((await ok(w, 200, 'POST', `/v1/cohorts/${id}/submit`, { token: w.tokens.chamber, now: NOW })).status).toBe('submitted');
  });

  it('R-MENTOR-1: changing the provider drops the old provider’s school mentors; the class needs a new one before submission', async () => {
    const { orgs, tokens } = w;
    const { cohortId } = await readyDraft(w, { mode: 'enterprise', organizerToken: tokens.smeA, participants: [{ id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 1 }] });
    const newProvider = await w.h.createOrg({ kind: 'provider', district: '320211' });
    const patched = await ok(w, 200, 'PATCH', `/v1/cohorts/${cohortId}`, { token: tokens.smeA, now: NOW, body: { providerId: newProvider.id } });
    expect(patched.mentors.map((m: { kind: string }) => m.kind)).toEqual(['enterprise']);
    const problem = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/submit`, { token: tokens.smeA, now: NOW });
    expect(rulesOf(problem)).toEqual(['R-MENTOR-1']);
    // The former provider no longer sees the class; the new one adds its school mentor.
    await refused(w, 404, 'NOT_FOUND', 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.provider });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/mentors`, { token: await w.h.token(newProvider.id, 'provider'), now: NOW, body: { kind: 'school', name: '周老师', organizationId: newProvider.id } });
    expect((await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: tokens.smeA, now: NOW })).status).toBe('submitted');
  });

  it('R-MENTOR-1: an enterprise mentor comes from a participant, a school mentor from the provider', async () => {
    const c = await createOk(w.tokens.chamber);
    await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/participants`, { token: w.tokens.chamber, now: NOW, body: { enterpriseId: w.orgs.smeA.id } });
    const stranger = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${c.id}/mentors`, { token: w.tokens.chamber, now: NOW, body: { kind: 'enterprise', name: '外援', organizationId: w.orgs.smeC.id } });
    expect(rulesOf(stranger)).toEqual(['R-MENTOR-1']);
    const notProvider = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${c.id}/mentors`, { token: w.tokens.chamber, now: NOW, body: { kind: 'school', name: '外校', organizationId: w.orgs.evaluator.id } });
    expect(rulesOf(notProvider)).toEqual(['R-MENTOR-1']);
  });
});

describe('R-JOINT-1: a joint class is organised by a chamber and has at least two participants', () => {
  it('R-JOINT-1: only a chamber creates a joint class; a chamber creates nothing else', async () => {
    await createRefused(w.tokens.smeA, { mode: 'joint' }, 'R-JOINT-1');
    await createRefused(w.tokens.chamber, { mode: 'enterprise' }, 'R-JOINT-1');
    await createRefused(w.tokens.chamber, { mode: 'group' }, 'R-JOINT-1');
    await refused(w, 403, 'FORBIDDEN', 'POST', '/v1/cohorts', { token: w.tokens.provider, now: NOW, body: design(w) });
    await refused(w, 403, 'FORBIDDEN', 'POST', '/v1/cohorts', { token: w.tokens.xinwu, now: NOW, body: design(w) });
  });

  it('R-JOINT-1: a joint class with one participant is refused at submission', async () => {
    const { cohortId } = await readyDraft(w, { participants: [twoSmes()[0]!] });
    const problem = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: NOW });
    expect(problem.errors).toEqual([expect.objectContaining({ rule: 'R-JOINT-1', path: 'participants' })]);
  });

  it('R-JOINT-1: every participant brings trainees before submission', async () => {
    const { cohortId } = await readyDraft(w, { participants: [...twoSmes(), { id: w.orgs.smeC.id, token: w.tokens.smeC, district: '320213', trainees: 0 }] });
    const problem = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: NOW });
    expect(problem.errors).toEqual([expect.objectContaining({ rule: 'R-JOINT-1', path: `participants.${w.orgs.smeC.id}` })]);
  });

  it('R-JOINT-1: a participant is a registered enterprise, added once', async () => {
    const c = await createOk(w.tokens.chamber);
    const path = `/v1/cohorts/${c.id}/participants`;
    expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'POST', path, { token: w.tokens.chamber, now: NOW, body: { enterpriseId: w.orgs.provider.id } }))).toEqual(['R-JOINT-1']);
    await ok(w, 201, 'POST', path, { token: w.tokens.chamber, now: NOW, body: { enterpriseId: w.orgs.smeA.id } });
    expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'POST', path, { token: w.tokens.chamber, now: NOW, body: { enterpriseId: w.orgs.smeA.id } }))).toEqual(['R-JOINT-1']);
  });
});

describe('R-JOINT-2: the multi-party agreement', () => {
  const sign = (id: string, token: string) => w.h.call('POST', `/v1/cohorts/${id}/agreement/signatures`, { token, now: NOW, body: { signerName: '签署人' } });

  it('R-JOINT-2: a joint class cannot be submitted without an effective agreement', async () => {
    const { orgs, tokens } = w;
    const c = await createOk(tokens.chamber);
    for (const [id, token, district] of [[orgs.smeA.id, tokens.smeA, '320214'], [orgs.smeB.id, tokens.smeB, '320211']] as const) {
      await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/participants`, { token: tokens.chamber, now: NOW, body: { enterpriseId: id } });
      await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/trainees`, { token, now: NOW, body: traineeBody(id, district) });
    }
    await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/mentors`, { token: tokens.chamber, now: NOW, body: { kind: 'enterprise', name: '王师傅', organizationId: orgs.smeA.id } });
    await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/mentors`, { token: tokens.provider, now: NOW, body: { kind: 'school', name: '李老师', organizationId: orgs.provider.id } });
    expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${c.id}/submit`, { token: tokens.chamber, now: NOW }))).toEqual(['R-JOINT-2']);
    await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/agreement`, { token: tokens.chamber, now: NOW });
    expect((await sign(c.id, tokens.chamber)).status).toBe(201);
    expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${c.id}/submit`, { token: tokens.chamber, now: NOW }))).toEqual(['R-JOINT-2']);
  });

  it('R-JOINT-2: adding a trainee after a signature voids the agreement; the new version lists organiser, every participant and the provider, and is effective only when all have signed', async () => {
    const { orgs, tokens } = w;
    const { cohortId } = await readyDraft(w, { participants: twoSmes() });
    const path = `/v1/cohorts/${cohortId}`;
    expect((await ok(w, 200, 'GET', path, { token: tokens.chamber })).agreement).toMatchObject({ version: 1, status: 'effective' });

    await ok(w, 201, 'POST', `${path}/trainees`, { token: tokens.smeA, now: NOW, body: traineeBody(orgs.smeA.id, '320214') });
    const voided = (await ok(w, 200, 'GET', path, { token: tokens.chamber })).agreement;
    expect(voided).toMatchObject({ version: 1, status: 'void' });
    expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'POST', `${path}/submit`, { token: tokens.chamber, now: NOW }))).toEqual(['R-JOINT-2']);

    const v2 = await ok(w, 201, 'POST', `${path}/agreement`, { token: tokens.chamber, now: NOW });
    expect(v2.version).toBe(2);
    expect(v2.status).toBe('pending');
    expect(v2.parties.map((p: { organizationId: string; role: string }) => [p.organizationId, p.role])).toEqual([
      [orgs.chamber.id, 'organizer'],
      [orgs.smeA.id, 'participant'],
      [orgs.smeB.id, 'participant'],
      [orgs.provider.id, 'provider'],
    ]);
    expect(v2.parties.every((p: { signedAt?: string }) => p.signedAt === undefined)).toBe(true);

    for (const token of [tokens.chamber, tokens.provider, tokens.smeA]) {
      const res = await sign(cohortId, token);
      expect([res.status, res.body.status]).toEqual([201, 'pending']);
      expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'POST', `${path}/submit`, { token: tokens.chamber, now: NOW }))).toEqual(['R-JOINT-2']);
    }
    const last = await sign(cohortId, tokens.smeB);
    expect([last.status, last.body.status, last.body.version]).toEqual([201, 'effective', 2]);
    expect((await ok(w, 200, 'POST', `${path}/submit`, { token: tokens.chamber, now: NOW })).status).toBe('submitted');
  });

  it('R-JOINT-2: a void version cannot be signed, a repeated signature changes nothing, a non-party cannot sign', async () => {
    const { orgs, tokens } = w;
    const c = await createOk(tokens.chamber);
    const path = `/v1/cohorts/${c.id}`;
    await ok(w, 201, 'POST', `${path}/participants`, { token: tokens.chamber, now: NOW, body: { enterpriseId: orgs.smeA.id } });
    await ok(w, 201, 'POST', `${path}/agreement`, { token: tokens.chamber, now: NOW });
    expect((await sign(c.id, tokens.smeA)).status).toBe(201);
    const again = await sign(c.id, tokens.smeA);
    expect([again.status, again.body.parties.filter((p: { signedAt?: string }) => p.signedAt).length]).toEqual([200, 1]);
    // The binhu bureau sees nothing of this class; the provider is a party.
    await refused(w, 404, 'NOT_FOUND', 'POST', `${path}/agreement/signatures`, { token: tokens.binhu, now: NOW, body: { signerName: 'x' } });
    // Adding a participant changes the parties: the version is void, signing it is refused.
    await ok(w, 201, 'POST', `${path}/participants`, { token: tokens.chamber, now: NOW, body: { enterpriseId: orgs.smeB.id } });
    await refused(w, 409, 'INVALID_STATE', 'POST', `${path}/agreement/signatures`, { token: tokens.provider, now: NOW, body: { signerName: '李' } });
    // A participant added after the agreement was drafted is no party to it and cannot sign it.
    await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/agreement/signatures`, { token: tokens.smeB, now: NOW, body: { signerName: '赵' } });
  });

  it('R-JOINT-2: removing a trainee after a signature voids the agreement too', async () => {
    const { cohortId, trainees } = await readyDraft(w, { participants: [twoSmes()[0]!, { ...twoSmes()[1]!, trainees: 2 }] });
    await w.h.call('DELETE', `/v1/cohorts/${cohortId}/trainees/${trainees[2]!.id}`, { token: w.tokens.smeB, now: NOW }).then((r) => expect(r.status).toBe(204));
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber })).agreement.status).toBe('void');
  });
});

describe('R-GROUP-1: a group class is organised by an HQ with members; participants are the HQ and its members', () => {
  it('R-GROUP-1: an enterprise without members, or a member company, cannot create a group class', async () => {
    await createRefused(w.tokens.smeA, { mode: 'group' }, 'R-GROUP-1');
    await createRefused(w.tokens.member1, { mode: 'group' }, 'R-GROUP-1');
  });

  it('R-GROUP-1: the HQ adds itself and its members; any other enterprise is refused', async () => {
    const c = await createOk(w.tokens.hq, { mode: 'group' });
    const path = `/v1/cohorts/${c.id}/participants`;
    for (const id of [w.orgs.hq.id, w.orgs.member1.id, w.orgs.member2.id]) await ok(w, 201, 'POST', path, { token: w.tokens.hq, now: NOW, body: { enterpriseId: id } });
    const problem = await refused(w, 422, 'RULE_VIOLATION', 'POST', path, { token: w.tokens.hq, now: NOW, body: { enterpriseId: w.orgs.smeA.id } });
    expect(rulesOf(problem)).toEqual(['R-GROUP-1']);
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${c.id}`, { token: w.tokens.hq })).participants).toHaveLength(3);
  });

  it('R-GROUP-1: an enterprise class has its organiser as its only participant', async () => {
    const c = await createOk(w.tokens.smeA, { mode: 'enterprise' });
    expect(c.participants.map((p: { enterpriseId: string }) => p.enterpriseId)).toEqual([w.orgs.smeA.id]);
    expect(rulesOf(await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${c.id}/participants`, { token: w.tokens.smeA, now: NOW, body: { enterpriseId: w.orgs.smeB.id } }))).toEqual(['R-JOINT-1']);
  });
});

describe('R-ROUTE-1: the competent bureau is named on creation', () => {
  it('R-ROUTE-1: joint → the bureau of the chamber’s district (320214 → 新吴区)', async () => {
    expect((await createOk(w.tokens.chamber)).reviewBureauId).toBe(w.orgs.xinwu.id);
  });

  it('R-ROUTE-1: joint by a city-level chamber (320200) → the municipal bureau', async () => {
    const cityChamber = await w.h.createOrg({ kind: 'chamber', district: '320200' });
    const token = await w.h.token(cityChamber.id, 'chamber');
    expect((await createOk(token)).reviewBureauId).toBe(w.orgs.cityBureau.id);
  });

  it('R-ROUTE-1: enterprise → the bureau of the enterprise’s own district', async () => {
    expect((await createOk(w.tokens.smeA, { mode: 'enterprise' })).reviewBureauId).toBe(w.orgs.xinwu.id);
    expect((await createOk(w.tokens.smeB, { mode: 'enterprise' })).reviewBureauId).toBe(w.orgs.binhu.id);
    expect((await createOk(w.tokens.smeC, { mode: 'enterprise' })).reviewBureauId).toBe(w.orgs.liangxi.id);
  });

  it('R-ROUTE-1: group with the HQ in a district of the city (320214) → the municipal bureau 320200', async () => {
    expect((await createOk(w.tokens.hq, { mode: 'group' })).reviewBureauId).toBe(w.orgs.cityBureau.id);
  });

  it('R-ROUTE-1: group with the HQ in a county-level city (320281 江阴市) → that city’s own bureau, not 320200', async () => {
    const jiangyin = await w.h.createOrg({ kind: 'hr_bureau', district: '320281', level: 'city' });
    const hq = await w.h.createOrg({ kind: 'enterprise', district: '320281' });
    await w.h.createOrg({ kind: 'enterprise', district: '320282', parentId: hq.id });
    const c = await createOk(await w.h.token(hq.id, 'enterprise'), { mode: 'group' });
    expect(c.reviewBureauId).toBe(jiangyin.id);
  });
});
