/**
 * Trainee eligibility over HTTP against DynamoDB Local: R-ELIG-1..6, with R-ELIG-4 enforced
 * atomically in the database (also under 20 concurrent enrolments of one person).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { completeNationalId } from '../../../shared/domain/national-id.js';
import { keys } from '../../../shared/db/keys.js';
import { createHarness, nationalId } from '../../support/harness.js';
import { createWorld, design, ok, readyDraft, refused, rulesOf, traineeBody, type World } from '../../support/world.js';

let w: World;
const NOW = '2026-06-01T10:00:00+08:00';

/** A joint draft of SME A and SME B, planned start 2026-09-01, with no trainees yet. */
async function draft(overrides: Record<string, unknown> = {}) {
  const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.chamber, now: NOW, body: design(w, overrides) });
  for (const id of [w.orgs.smeA.id, w.orgs.smeB.id]) await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/participants`, { token: w.tokens.chamber, now: NOW, body: { enterpriseId: id } });
  return c.id as string;
}

let cohortId: string;
beforeAll(async () => {
  w = await createWorld(await createHarness());
  cohortId = await draft();
});

const enrol = (id: string, overrides: Record<string, unknown>, now = NOW, token = w.tokens.smeA) =>
  w.h.call('POST', `/v1/cohorts/${id}/trainees`, { token, now, body: traineeBody(w.orgs.smeA.id, '320214', overrides) });
const enrolled = async (id: string, overrides: Record<string, unknown>, now = NOW) => {
  const res = await enrol(id, overrides, now);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
};
const enrolRefused = async (id: string, overrides: Record<string, unknown>, rule: string, now = NOW) => {
  const res = await enrol(id, overrides, now);
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.code).toBe('RULE_VIOLATION');
  expect(rulesOf(res.body)).toEqual([rule]);
  return res.body;
};

describe('R-ELIG-1: a labour contract of at least 12 months, or open-ended, in force on the enrolment date', () => {
  it('R-ELIG-1: a 12-month contract (both end dates count) is accepted', async () => {
    await enrolled(cohortId, { contract: { start: '2026-05-01', end: '2027-04-30' } });
  });

  it('R-ELIG-1: an 11-month contract is refused', async () => {
    await enrolRefused(cohortId, { contract: { start: '2026-05-01', end: '2027-03-31' } }, 'R-ELIG-1');
    await enrolRefused(cohortId, { contract: { start: '2026-05-01', end: '2027-04-29' } }, 'R-ELIG-1');
  });

  it('R-ELIG-1: an open-ended contract is accepted; a fixed-term contract without an end is refused', async () => {
    await enrolled(cohortId, { contract: { start: '2018-03-01', openEnded: true } });
    await enrolRefused(cohortId, { contract: { start: '2018-03-01' } }, 'R-ELIG-1');
  });

  it('R-ELIG-1: a contract that has ended, or not yet started, on the enrolment date is refused', async () => {
    const ended = await enrolRefused(cohortId, { contract: { start: '2024-01-01', end: '2026-05-31' } }, 'R-ELIG-1');
    expect(ended.detail).toMatch(/not in force/);
    await enrolRefused(cohortId, { contract: { start: '2026-06-02', end: '2029-06-01' } }, 'R-ELIG-1');
  });

  it('R-ELIG-1: the enrolment date is the China Standard Time date of the request', async () => {
    const contract = { start: '2026-06-02', end: '2029-06-01' };
    // 23:00 on 1 June in Beijing: still 1 June, the contract has not started.
    await enrolRefused(cohortId, { contract }, 'R-ELIG-1', '2026-06-01T23:00:00+08:00');
    // 01:00 on 2 June in Beijing is 17:00 on 1 June UTC: already 2 June for the rule.
    const t = await enrolled(cohortId, { contract }, '2026-06-02T01:00:00+08:00');
    expect(t.enrolledOn).toBe('2026-06-02');
  });
});

describe('R-ELIG-2: the enterprise attests a skill position', () => {
  it('R-ELIG-2: skillPosition false is refused, true is accepted', async () => {
    await enrolRefused(cohortId, { skillPosition: false }, 'R-ELIG-2');
    await enrolled(cohortId, { skillPosition: true });
  });

  it('R-ELIG-2: skillPosition is required by the schema (400)', async () => {
    const { skillPosition: _s, ...body } = traineeBody(w.orgs.smeA.id, '320214');
    await refused(w, 400, 'VALIDATION_FAILED', 'POST', `/v1/cohorts/${cohortId}/trainees`, { token: w.tokens.smeA, now: NOW, body });
  });
});

describe('R-ELIG-3: senior and above need the next lower certificate, same occupation, held 24 whole months on the planned start', () => {
  let senior: string;
  const cert = (overrides: Record<string, unknown> = {}) => ({ priorCertificate: { level: 'intermediate', occupationCode: w.occupation, issuedOn: '2024-09-01', number: 'C-001', ...overrides } });
  beforeAll(async () => {
    senior = await draft({ level: 'senior' });
  });

  it('R-ELIG-3: an intermediate certificate issued 2024-09-01 is held 24 months on 2026-09-01: accepted', async () => {
    const t = await enrolled(senior, cert());
    expect(t.priorCertificate).toMatchObject({ level: 'intermediate', issuedOn: '2024-09-01' });
  });

  it('R-ELIG-3: issued 2024-09-02, it is held 23 months: refused', async () => {
    const problem = await enrolRefused(senior, cert({ issuedOn: '2024-09-02' }), 'R-ELIG-3');
    expect(problem.errors![0]!.path).toBe('priorCertificate.issuedOn');
  });

  it('R-ELIG-3: no certificate, a certificate of another occupation, or of the wrong level is refused', async () => {
    await enrolRefused(senior, {}, 'R-ELIG-3');
    await enrolRefused(senior, cert({ occupationCode: w.certOccupation }), 'R-ELIG-3');
    await enrolRefused(senior, cert({ level: 'senior' }), 'R-ELIG-3');
  });

  it('R-ELIG-3: technician needs a senior certificate; intermediate needs none', async () => {
    const technician = await draft({ level: 'technician' });
    await enrolRefused(technician, cert(), 'R-ELIG-3');
    await enrolled(technician, cert({ level: 'senior' }));
    await enrolled(cohortId, {});
  });

  it('R-ELIG-3: is checked again at submission against the planned start then in force', async () => {
    const { orgs, tokens } = w;
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.smeC, now: NOW, body: design(w, { mode: 'enterprise', level: 'senior' }) });
    const path = `/v1/cohorts/${c.id}`;
    const t = await ok(w, 201, 'POST', `${path}/trainees`, { token: tokens.smeC, now: NOW, body: traineeBody(orgs.smeC.id, '320213', cert()) });
    await ok(w, 201, 'POST', `${path}/mentors`, { token: tokens.smeC, now: NOW, body: { kind: 'enterprise', name: '王师傅', organizationId: orgs.smeC.id } });
    await ok(w, 201, 'POST', `${path}/mentors`, { token: tokens.provider, now: NOW, body: { kind: 'school', name: '李老师', organizationId: orgs.provider.id } });
    // One day earlier, the certificate is held 23 months on the planned start.
    await ok(w, 200, 'PATCH', path, { token: tokens.smeC, now: NOW, body: { plannedStart: '2026-08-31', plannedEnd: '2027-08-30' } });
    const problem = await refused(w, 422, 'RULE_VIOLATION', 'POST', `${path}/submit`, { token: tokens.smeC, now: NOW });
    expect(problem.errors).toEqual([expect.objectContaining({ rule: 'R-ELIG-3', path: `trainees.${t.id}.priorCertificate.issuedOn` })]);
    await ok(w, 200, 'PATCH', path, { token: tokens.smeC, now: NOW, body: { plannedStart: '2026-09-01', plannedEnd: '2027-08-31' } });
    expect((await ok(w, 200, 'POST', `${path}/submit`, { token: tokens.smeC, now: NOW })).status).toBe('submitted');
  });
});

describe('R-ELIG-4: one person in at most one open cohort, enforced atomically', () => {
  it('R-ELIG-4: the same person twice in one cohort → 409 DUPLICATE_ENROLMENT, whichever enterprise enrols', async () => {
    const id = await draft();
    const idNumber = nationalId(1997);
    await enrolled(id, { idNumber });
    const again = await enrol(id, { idNumber });
    expect([again.status, again.body.code]).toEqual([409, 'DUPLICATE_ENROLMENT']);
    const byB = await w.h.call('POST', `/v1/cohorts/${id}/trainees`, { token: w.tokens.smeB, now: NOW, body: traineeBody(w.orgs.smeB.id, '320211', { idNumber }) });
    expect([byB.status, byB.body.code]).toEqual([409, 'DUPLICATE_ENROLMENT']);
    // Case and spaces do not make another person.
    const x = Array.from({ length: 1000 }, (_, i) => completeNationalId(`32021419970101${String(i).padStart(3, '0')}`)).find((n) => n.endsWith('X'))!;
    await enrolled(id, { idNumber: x });
    expect((await enrol(id, { idNumber: ` ${x.toLowerCase()} ` })).body.code).toBe('DUPLICATE_ENROLMENT');
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${id}`, { token: w.tokens.chamber })).counts.enrolled).toBe(2);
  });

  it('R-ELIG-4: a person in one open cohort cannot enrol in another; after the first is cancelled, they can', async () => {
    const first = await draft();
    const second = await draft();
    const idNumber = nationalId(1996);
    await enrolled(first, { idNumber });
    const dup = await enrol(second, { idNumber });
    expect([dup.status, dup.body.code]).toEqual([409, 'DUPLICATE_ENROLMENT']);
    await ok(w, 200, 'POST', `/v1/cohorts/${first}/cancel`, { token: w.tokens.chamber, now: NOW, body: { reason: '取消' } });
    await enrolled(second, { idNumber });
    // …and now the second cohort holds the person.
    const third = await draft();
    expect((await enrol(third, { idNumber })).body.code).toBe('DUPLICATE_ENROLMENT');
  });

  it('R-ELIG-4: a rejected application no longer holds its trainees', async () => {
    const { orgs, tokens } = w;
    const first = await readyDraft(w, { participants: [{ id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 1 }, { id: orgs.smeB.id, token: tokens.smeB, district: '320211', trainees: 1 }] });
    const idNumber = first.trainees[0]!.idNumber;
    const second = await draft();
    expect((await enrol(second, { idNumber })).body.code).toBe('DUPLICATE_ENROLMENT');
    const p = `/v1/cohorts/${first.cohortId}`;
    await ok(w, 200, 'POST', `${p}/submit`, { token: tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
    await ok(w, 200, 'POST', `${p}/accept`, { token: tokens.xinwu, now: '2026-06-11T10:00:00+08:00', body: { experts: ['e1', 'e2', 'e3'] } });
    for (const t of tokens.experts.slice(0, 3)) await ok(w, 201, 'POST', `${p}/votes`, { token: t, now: '2026-06-20T10:00:00+08:00', body: { decision: 'reject' } });
    expect((await ok(w, 200, 'POST', `${p}/decision`, { token: tokens.xinwu, now: '2026-07-01T10:00:00+08:00', body: { decision: 'reject' } })).status).toBe('rejected');
    await enrolled(second, { idNumber }, '2026-07-02T10:00:00+08:00');
  });

  it('R-ELIG-4: removing the trainee from the first cohort releases the person', async () => {
    const first = await draft();
    const second = await draft();
    const idNumber = nationalId(1995);
    const t = await enrolled(first, { idNumber });
    expect((await w.h.call('DELETE', `/v1/cohorts/${first}/trainees/${t.id}`, { token: w.tokens.smeA, now: NOW })).status).toBe(204);
    await enrolled(second, { idNumber });
  });

  it('R-ELIG-4: 20 concurrent enrolments of one ID number into two cohorts (10 each) → exactly one 201, the rest 409 DUPLICATE_ENROLMENT, no 5xx', async () => {
    const x = await draft();
    const y = await draft();
    const idNumber = nationalId(1994);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => enrol(i % 2 === 0 ? x : y, { idNumber, name: `并发${i}` })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    const refusedCodes = results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.body.code}`);
    expect(refusedCodes).toEqual(Array(19).fill('409 DUPLICATE_ENROLMENT'));
    // The database holds exactly one trainee for the person, in the cohort that answered 201.
    const [cx, cy] = await Promise.all([x, y].map((id) => ok(w, 200, 'GET', `/v1/cohorts/${id}/trainees`, { token: w.tokens.smeA })));
    const rows = [...cx.items, ...cy.items].filter((t: { idNumber: string }) => t.idNumber === idNumber);
    expect(rows).toHaveLength(1);
    const counts = await Promise.all([x, y].map(async (id) => (await ok(w, 200, 'GET', `/v1/cohorts/${id}`, { token: w.tokens.chamber })).counts.enrolled));
    expect(counts[0]! + counts[1]!).toBe(1);
  });
});

describe('R-ELIG-5: national ID number of GB 11643-1999', () => {
  it('R-ELIG-5: a wrong check character is refused', async () => {
    const good = nationalId(1998);
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const problem = await enrolRefused(cohortId, { idNumber: bad }, 'R-ELIG-5');
    expect(problem.errors![0]!.path).toBe('idNumber');
  });

  it('R-ELIG-5: a birth date that is not a calendar date (1998-02-30) is refused even with a valid check character', async () => {
    await enrolRefused(cohortId, { idNumber: completeNationalId('32021419980230001') }, 'R-ELIG-5');
  });

  it('R-ELIG-5: a birth date after the enrolment date is refused', async () => {
    await enrolRefused(cohortId, { idNumber: completeNationalId('32021420260602001') }, 'R-ELIG-5');
  });

  it('R-ELIG-5: 17 characters are refused; a valid number is accepted', async () => {
    await enrolRefused(cohortId, { idNumber: nationalId(1998).slice(0, 17) }, 'R-ELIG-5');
    await enrolled(cohortId, { idNumber: completeNationalId('32021419980512001') });
  });
});

describe('R-ELIG-6: statistics tags, `new_hire` derived from the hire date, the others as declared', () => {
  const tagsFor = async (hireDate: string, tags: string[]) => {
    const t = await enrolled(cohortId, { hireDate, contract: { start: hireDate, openEnded: true }, tags });
    return t.tags as string[];
  };

  it('R-ELIG-6: hired less than 3 years before the planned start → new_hire added to the declared tags', async () => {
    expect(await tagsFor('2025-07-01', ['new_graduate'])).toEqual(['new_hire', 'new_graduate']);
    expect(await tagsFor('2023-09-02', [])).toEqual(['new_hire']);
  });

  it('R-ELIG-6: hired exactly 3 years before the planned start → no new_hire, even when declared', async () => {
    expect(await tagsFor('2023-09-01', ['new_hire', 'transferred'])).toEqual(['transferred']);
    expect(await tagsFor('2019-01-01', ['tech_trainee', 'transferred'])).toEqual(['transferred', 'tech_trainee']);
  });

  it('R-ELIG-6: tags are listed the same way on GET trainees; an unknown tag is a 400', async () => {
    const t = await enrolled(cohortId, { hireDate: '2025-07-01', tags: ['tech_trainee'] });
    const list = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/trainees?limit=200`, { token: w.tokens.smeA });
    expect(list.items.find((x: { id: string }) => x.id === t.id).tags).toEqual(['new_hire', 'tech_trainee']);
    await refused(w, 400, 'VALIDATION_FAILED', 'POST', `/v1/cohorts/${cohortId}/trainees`, { token: w.tokens.smeA, now: NOW, body: traineeBody(w.orgs.smeA.id, '320214', { tags: ['veteran'] }) });
  });
});

describe('dates a request may carry', () => {
  it('R-ELIG-6: a hire date past 2199 (whose + 36 months could leave the calendar) → 400 VALIDATION_FAILED; nothing stored, the list still answers', async () => {
    const before = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/trainees?limit=200`, { token: w.tokens.smeA });
    for (const hireDate of ['9998-01-01', '2200-01-01', '1899-12-31']) {
      const p = await refused(w, 400, 'VALIDATION_FAILED', 'POST', `/v1/cohorts/${cohortId}/trainees`, { token: w.tokens.smeA, now: NOW, body: traineeBody(w.orgs.smeA.id, '320214', { hireDate }) });
      expect(p.errors).toEqual([{ path: 'hireDate', message: 'not a real calendar date from 1900-01-01 to 2199-12-31' }]);
    }
    const after = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/trainees?limit=200`, { token: w.tokens.smeA });
    expect(after.items).toHaveLength(before.items.length);
  });
});

describe('R-ELIG: who enrols', () => {
  it('R-JOINT-1: the organiser enrols for a participant; an enterprise only its own staff; not for a non-participant', async () => {
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/trainees`, { token: w.tokens.chamber, now: NOW, body: traineeBody(w.orgs.smeB.id, '320211') });
    await refused(w, 403, 'FORBIDDEN', 'POST', `/v1/cohorts/${cohortId}/trainees`, { token: w.tokens.smeA, now: NOW, body: traineeBody(w.orgs.smeB.id, '320211') });
    const p = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/trainees`, { token: w.tokens.chamber, now: NOW, body: traineeBody(w.orgs.smeC.id, '320213') });
    expect(rulesOf(p)).toEqual(['R-JOINT-1']);
  });
});

describe('R-ELIG-4 subsidised once per (occupation, level), checked again at submission', () => {
  it('R-ELIG-4: submitting after the level changed to one a trainee was already subsidised for → 409 DUPLICATE_ENROLMENT; the class stays a draft', async () => {
    const w = await createWorld(await createHarness());
    const { cohortId, trainees } = await readyDraft(w, {
      participants: [
        { id: w.orgs.smeA.id, token: w.tokens.smeA, district: '320214', trainees: 1 },
        { id: w.orgs.smeB.id, token: w.tokens.smeB, district: '320211', trainees: 1 },
      ],
    });
    // Mark the first trainee as subsidised for senior level (as a closed cohort would have).
    const raw = await w.h.store.get(keys.trainee(cohortId, trainees[0]!.id));
    await w.h.store.transact([{ op: { Put: { Item: { ...keys.personSubsidy(String(raw!.personHash), w.occupation, 'senior'), cohortId: 'old' } } } }]);
    await ok(w, 200, 'PATCH', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber, now: '2026-06-02T10:00:00+08:00', body: { level: 'senior' } });
    const before = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber });
    const p = await refused(w, 409, 'DUPLICATE_ENROLMENT', 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
    expect(p.errors).toEqual([expect.objectContaining({ rule: 'R-ELIG-4', path: `trainees.${trainees[0]!.id}` })]);
    const after = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber });
    expect(after).toMatchObject({ status: 'draft', version: before.version });
  });
});
