/**
 * R-ELIG-4 through the API: a person is subsidised at most once per (occupation, level), ever.
 * The mark is written in the same chunked closing acceptance that creates the lines; enrolment
 * checks it atomically (409 DUPLICATE_ENROLMENT), whatever cohort the person turns up in next.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { classDraft, createWorld, design, ok, sequentialNationalId, toClosingReview, toPlanned, traineeBody, type World } from '../support/world.js';

let w: World;
let first: Awaited<ReturnType<typeof classDraft>>;
/** Trainee 0 passes, 1 fails, 2 leaves (SME A); trainee 3 passes (SME B). */
const outcomes = ['passed', 'failed', 'departed', 'passed'] as const;

beforeAll(async () => {
  w = await createWorld(await createHarness());
  const { orgs, tokens } = w;
  first = await classDraft(w, {
    participants: [
      { id: orgs.smeA.id, token: tokens.smeA, insured: ['320214', '320214', '320214'] },
      { id: orgs.smeB.id, token: tokens.smeB, insured: ['320211'] },
    ],
  });
  await toPlanned(w, first.cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
  await toClosingReview(w, {
    cohortId: first.cohortId, organizer: tokens.chamber,
    participants: [{ id: orgs.smeA.id, token: tokens.smeA }, { id: orgs.smeB.id, token: tokens.smeB }],
    bureaus: [tokens.xinwu, tokens.binhu], trainees: first.trainees, outcome: (_t, i) => outcomes[i]!,
  });
}, 60_000);

const NOW = '2027-09-01T10:00:00+08:00';
/** A new joint class of the same chamber, planned after the first one. */
async function nextClass(overrides: Record<string, unknown> = {}) {
  const cohort = await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.chamber, now: NOW, body: design(w, { plannedStart: '2027-10-01', plannedEnd: '2028-09-30', ...overrides }) });
  for (const id of [w.orgs.smeA.id, w.orgs.smeB.id]) await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/participants`, { token: w.tokens.chamber, now: NOW, body: { enterpriseId: id } });
  return cohort.id as string;
}
const enrol = (cohortId: string, person: { idNumber: string; enterpriseId: string; insuredDistrict: string }, extra: Record<string, unknown> = {}) =>
  w.h.call('POST', `/v1/cohorts/${cohortId}/trainees`, {
    token: person.enterpriseId === w.orgs.smeA.id ? w.tokens.smeA : w.tokens.smeB,
    now: NOW,
    body: traineeBody(person.enterpriseId, person.insuredDistrict, { idNumber: person.idNumber, ...extra }),
  });

describe('R-ELIG-4: subsidised at most once per (occupation, level), ever', () => {
  it('while the first class is still open, nobody in it can enrol elsewhere (one open cohort per person)', async () => {
    const other = await nextClass();
    const res = await enrol(other, first.trainees[1]!);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('DUPLICATE_ENROLMENT');
  });

  it('after the closing is accepted, a passed person cannot enrol again for the same occupation and level (409), in any class', async () => {
    await ok(w, 200, 'POST', `/v1/cohorts/${first.cohortId}/closing/accept`, { token: w.tokens.xinwu, now: '2027-08-25T10:00:00+08:00' });
    const lines = (await ok(w, 200, 'GET', `/v1/cohorts/${first.cohortId}/subsidy`, { token: w.tokens.xinwu })).lines as { traineeIds: string[] }[];
    expect(lines.flatMap((l) => l.traineeIds).sort()).toEqual([first.trainees[0]!.id, first.trainees[3]!.id].sort());

    const again = await nextClass();
    for (const person of [first.trainees[0]!, first.trainees[3]!]) {
      const res = await enrol(again, person);
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.code).toBe('DUPLICATE_ENROLMENT');
    }
    // With another employer, or in an enterprise's own class, it is still the same person.
    const moved = await enrol(again, { ...first.trainees[0]!, enterpriseId: w.orgs.smeB.id, insuredDistrict: '320211' });
    expect(moved.status).toBe(409);
    const enterpriseClass = await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.smeA, now: NOW, body: design(w, { mode: 'enterprise', plannedStart: '2027-10-01', plannedEnd: '2028-09-30' }) });
    const own = await enrol(enterpriseClass.id, first.trainees[0]!);
    expect(own.status).toBe(409);
    expect(own.body.code).toBe('DUPLICATE_ENROLMENT');
  });

  it('the failed and the departed person were never subsidised, so they may enrol again for the same occupation and level', async () => {
    const again = await nextClass();
    for (const person of [first.trainees[1]!, first.trainees[2]!]) {
      const res = await enrol(again, person);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });

  it('a passed person may enrol for a different level of the same occupation (高级工 after 中级工)', async () => {
    const senior = await nextClass({ level: 'senior' });
    const res = await enrol(senior, first.trainees[0]!, { priorCertificate: { level: 'intermediate', occupationCode: w.occupation, issuedOn: '2025-01-10', number: 'S2025-0001' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('a passed person may enrol for another occupation', async () => {
    const cert = await nextClass({ occupationCode: w.certOccupation, level: 'certificate' });
    const res = await enrol(cert, first.trainees[3]!);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('a person never seen before enrols normally (control)', async () => {
    const fresh = await nextClass();
    const res = await enrol(fresh, { idNumber: sequentialNationalId(), enterpriseId: w.orgs.smeA.id, insuredDistrict: '320214' });
    expect(res.status).toBe(201);
  });
});
