/**
 * A small Wuxi for tests: municipal and district bureaus, a chamber, SMEs in three districts, a
 * group HQ with two members, a provider, an evaluator, an auditor, occupations, and tokens for all.
 * Helpers drive a cohort through its lifecycle with the test clock (X-Clock-Now).
 */
import { expect } from 'vitest';
import type { Harness, CallOptions } from './harness.js';
import { nationalId } from './harness.js';

export async function createWorld(h: Harness) {
  const org = (kind: string, district: string, extra: Record<string, unknown> = {}) => h.createOrg({ kind, district, ...extra });
  const cityBureau = await org('hr_bureau', '320200', { level: 'city' });
  const xinwu = await org('hr_bureau', '320214', { level: 'district' });
  const binhu = await org('hr_bureau', '320211', { level: 'district' });
  const liangxi = await org('hr_bureau', '320213', { level: 'district' });
  const chamber = await org('chamber', '320214');
  const smeA = await org('enterprise', '320214');
  const smeB = await org('enterprise', '320211');
  const smeC = await org('enterprise', '320213');
  const hq = await org('enterprise', '320214');
  const member1 = await org('enterprise', '320211', { parentId: hq.id });
  const member2 = await org('enterprise', '320213', { parentId: hq.id });
  const provider = await org('provider', '320214');
  const evaluator = await org('evaluator', '320213');
  const auditor = await org('auditor', '320213');
  const occupation = `6-18-01-${Math.floor(Math.random() * 90 + 10)}`;
  await h.call('POST', '/v1/occupations', { token: h.adminToken, body: { code: occupation, name: '车工', skillEvaluation: true } });
  const certOccupation = `X-${Math.floor(Math.random() * 9000 + 1000)}`;
  await h.call('POST', '/v1/occupations', { token: h.adminToken, body: { code: certOccupation, name: '工业机器人运维', skillEvaluation: false } });

  const tokens = {
    admin: h.adminToken,
    cityBureau: await h.token(cityBureau.id, 'hr'),
    xinwu: await h.token(xinwu.id, 'hr'),
    binhu: await h.token(binhu.id, 'hr'),
    liangxi: await h.token(liangxi.id, 'hr'),
    chamber: await h.token(chamber.id, 'chamber'),
    smeA: await h.token(smeA.id, 'enterprise'),
    smeB: await h.token(smeB.id, 'enterprise'),
    smeC: await h.token(smeC.id, 'enterprise'),
    hq: await h.token(hq.id, 'enterprise'),
    member1: await h.token(member1.id, 'enterprise'),
    member2: await h.token(member2.id, 'enterprise'),
    provider: await h.token(provider.id, 'provider'),
    evaluator: await h.token(evaluator.id, 'evaluator'),
    auditor: await h.token(auditor.id, 'auditor'),
    experts: await Promise.all(['e1', 'e2', 'e3', 'e4'].map((sub) => h.token(xinwu.id, 'expert', sub))),
    cityExperts: await Promise.all(['c1', 'c2', 'c3'].map((sub) => h.token(cityBureau.id, 'expert', sub))),
  };
  return { h, orgs: { cityBureau, xinwu, binhu, liangxi, chamber, smeA, smeB, smeC, hq, member1, member2, provider, evaluator, auditor }, occupation, certOccupation, tokens };
}

export type World = Awaited<ReturnType<typeof createWorld>>;

export const design = (w: World, overrides: Record<string, unknown> = {}) => ({
  mode: 'joint',
  name: '数控车工联合组班',
  occupationCode: w.occupation,
  level: 'intermediate',
  providerId: w.orgs.provider.id,
  plannedStart: '2026-09-01',
  plannedEnd: '2027-08-31',
  curriculum: { generalHours: 80, theoryHours: 240, practiceHours: 480, onlineHours: 200 },
  ...overrides,
});

export const traineeBody = (enterpriseId: string, insuredDistrict: string, overrides: Record<string, unknown> = {}) => ({
  enterpriseId,
  name: '张伟',
  idNumber: nationalId(1998),
  skillPosition: true,
  contract: { start: '2025-07-01', end: '2028-06-30' },
  hireDate: '2025-07-01',
  insuredDistrict,
  ...overrides,
});

/** Calls and expects a status, returning the body; shows the problem document when it fails. */
export async function ok<T = any>(w: World, status: number, method: string, path: string, options: CallOptions): Promise<T> {
  const res = await w.h.call<T>(method, path, options);
  expect(res.status, `${method} ${path} → ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

export interface DraftPlan {
  mode?: 'joint' | 'group' | 'enterprise';
  organizerToken?: string;
  participants: { id: string; token: string; district: string; trainees: number; insured?: string[] }[];
  designOverrides?: Record<string, unknown>;
  now?: string;
}

/** A draft cohort with participants, trainees, both mentors and an effective agreement. */
export async function readyDraft(w: World, plan: DraftPlan) {
  const now = plan.now ?? '2026-06-01T10:00:00+08:00';
  const organizer = plan.organizerToken ?? w.tokens.chamber;
  const mode = plan.mode ?? 'joint';
  const cohort = await ok(w, 201, 'POST', '/v1/cohorts', { token: organizer, now, body: design(w, { mode, ...plan.designOverrides }) });
  const trainees: { id: string; enterpriseId: string; insuredDistrict: string; idNumber: string }[] = [];
  for (const p of plan.participants) {
    if (mode !== 'enterprise') await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/participants`, { token: organizer, now, body: { enterpriseId: p.id } });
    for (let i = 0; i < p.trainees; i++) {
      const insured = p.insured?.[i % p.insured.length] ?? p.district;
      const body = traineeBody(p.id, insured);
      const t = await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/trainees`, { token: p.token, now, body });
      trainees.push({ id: t.id, enterpriseId: p.id, insuredDistrict: insured, idNumber: body.idNumber });
    }
  }
  const firstEnterprise = plan.participants[0]!.id;
  await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/mentors`, { token: organizer, now, body: { kind: 'enterprise', name: '王师傅', organizationId: firstEnterprise } });
  await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/mentors`, { token: w.tokens.provider, now, body: { kind: 'school', name: '李老师', organizationId: w.orgs.provider.id } });
  if (mode !== 'enterprise') {
    await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/agreement`, { token: organizer, now });
    const signers = new Map<string, string>([[cohort.organizerId, organizer], [w.orgs.provider.id, w.tokens.provider]]);
    for (const p of plan.participants) signers.set(p.id, p.token);
    for (const token of signers.values()) await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/agreement/signatures`, { token, now, body: { signerName: '签署人' } });
  }
  return { cohortId: cohort.id as string, trainees, organizer, now };
}

/** From a ready draft to `planned`: submit, accept with experts, votes, approve, plan after publicity. */
export async function toPlanned(w: World, cohortId: string, opts: { organizer: string; bureau: string; experts: string[]; expertTokens: string[] }) {
  await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: opts.organizer, now: '2026-06-10T10:00:00+08:00' });
  await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/accept`, { token: opts.bureau, now: '2026-06-11T10:00:00+08:00', body: { experts: opts.experts } });
  for (const t of opts.expertTokens) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/votes`, { token: t, now: '2026-06-20T10:00:00+08:00', body: { decision: 'approve' } });
  await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/decision`, { token: opts.bureau, now: '2026-07-01T10:00:00+08:00', body: { decision: 'approve', onSiteVerified: true } });
  return ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: opts.bureau, now: '2026-07-10T10:00:00+08:00' });
}
