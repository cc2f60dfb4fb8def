import { beforeAll, describe, expect, it } from 'vitest';
import { openDeadlineOp } from '../../shared/db/cohorts.js';
import { createHarness } from '../support/harness.js';
import { createWorld, ok, readyDraft, toPlanned, type World } from '../support/world.js';

/**
 * R-ALERT-1 with the test clock: every kind of alert at its boundary day (due day: not overdue;
 * the next day: overdue 1 day), late acts that stay listed, and who sees what.
 */
let w: World;
const at = (day: string) => `${day}T10:00:00+08:00`;
type AlertItem = { rule: string; cohortId: string; subjectId?: string; district: string; dueOn: string; overdueDays: number; status: string; doneOn?: string; waitingFor?: string[] };

async function alerts(token: string, day: string, query = ''): Promise<AlertItem[]> {
  const items: AlertItem[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: AlertItem[]; nextCursor: string | null } = await ok(w, 200, 'GET', `/v1/alerts?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`, { token, now: at(day) });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
const of = (items: AlertItem[], cohortId: string, rule?: string) => items.filter((i) => i.cohortId === cohortId && (!rule || i.rule === rule));

// Cohort A: review left open past its due date, then decided late.
let reviewCohort: string;
// Cohort B: on-time review, then filing, departures, assessment and closing deadlines.
let cohortB: string;
let traineesB: { id: string; enterpriseId: string; insuredDistrict: string }[];

beforeAll(async () => {
  w = await createWorld(await createHarness());
  const { orgs, tokens } = w;
  const participants = [
    { id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 2 },
    { id: orgs.smeB.id, token: tokens.smeB, district: '320211', trainees: 2 },
  ];
  reviewCohort = (await readyDraft(w, { participants })).cohortId;
  const b = await readyDraft(w, { participants });
  cohortB = b.cohortId;
  traineesB = b.trainees;
});

describe('R-ALERT-1: alerts at their boundary days', () => {
  it('R-REVIEW-2: the review is due one month after acceptance; decided later it stays listed as late', async () => {
    const { tokens } = w;
    await ok(w, 200, 'POST', `/v1/cohorts/${reviewCohort}/submit`, { token: tokens.chamber, now: at('2026-06-10') });
    const accepted = await ok(w, 200, 'POST', `/v1/cohorts/${reviewCohort}/accept`, { token: tokens.xinwu, now: at('2026-06-11'), body: { experts: ['e1', 'e2', 'e3'] } });
    expect(accepted.deadlines.reviewDue).toBe('2026-07-11');

    expect(of(await alerts(tokens.xinwu, '2026-07-11'), reviewCohort)).toEqual([]);
    expect(of(await alerts(tokens.xinwu, '2026-07-12'), reviewCohort)).toEqual([
      { rule: 'R-REVIEW-2', cohortId: reviewCohort, district: '320214', dueOn: '2026-07-11', overdueDays: 1, status: 'overdue' },
    ]);
    expect(of(await alerts(tokens.xinwu, '2026-07-14'), reviewCohort)[0]?.overdueDays).toBe(3);

    for (const t of tokens.experts.slice(0, 3)) await ok(w, 201, 'POST', `/v1/cohorts/${reviewCohort}/votes`, { token: t, now: at('2026-07-13'), body: { decision: 'approve' } });
    await ok(w, 200, 'POST', `/v1/cohorts/${reviewCohort}/decision`, { token: tokens.xinwu, now: at('2026-07-15'), body: { decision: 'approve' } });
    for (const day of ['2026-07-20', '2027-03-01']) {
      expect(of(await alerts(tokens.xinwu, day), reviewCohort)).toEqual([
        { rule: 'R-REVIEW-2', cohortId: reviewCohort, district: '320214', dueOn: '2026-07-11', overdueDays: 4, status: 'late', doneOn: '2026-07-15' },
      ]);
    }
  });

  it('R-FILE-1: filings are due 10 working days after the plan; a review decided on time leaves no alert', async () => {
    const { tokens, orgs } = w;
    const planned = await toPlanned(w, cohortB, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    expect(planned.deadlines.filingDue).toBe('2026-07-24');
    expect(of(await alerts(tokens.xinwu, '2026-07-24'), cohortB)).toEqual([]);
    // The alert names the participants that have not filed, and drops each as it files.
    expect(of(await alerts(tokens.xinwu, '2026-07-25'), cohortB)).toEqual([
      { rule: 'R-FILE-1', cohortId: cohortB, district: '320214', dueOn: '2026-07-24', overdueDays: 1, status: 'overdue', waitingFor: [orgs.smeA.id, orgs.smeB.id] },
    ]);

    for (const [id, token] of [[orgs.smeA.id, tokens.smeA], [orgs.smeB.id, tokens.smeB]] as const) {
      await ok(w, 201, 'POST', `/v1/cohorts/${cohortB}/filings`, { token, now: at('2026-07-15'), body: { enterpriseId: id, commitment: { signerName: '王芳', statement: '承诺信息真实' } } });
      if (id === orgs.smeA.id) {
        expect(of(await alerts(tokens.xinwu, '2026-07-25'), cohortB).map((a) => a.waitingFor)).toEqual([[orgs.smeB.id]]);
        // 滨湖, whose bureau approves SME B's filing (R-ROUTE-2), sees the alert too; 梁溪 does not.
        expect(of(await alerts(tokens.binhu, '2026-07-25'), cohortB).map((a) => [a.rule, a.waitingFor])).toEqual([['R-FILE-1', [orgs.smeB.id]]]);
        expect(of(await alerts(tokens.liangxi, '2026-07-25'), cohortB)).toEqual([]);
      }
    }
    for (const token of [tokens.xinwu, tokens.binhu]) await ok(w, 200, 'POST', `/v1/cohorts/${cohortB}/filings/approve`, { token, now: at('2026-07-20') });
    // Filed on time: the deadline is gone, whatever the day.
    expect(of(await alerts(tokens.xinwu, '2026-07-25'), cohortB)).toEqual([]);
  });

  it('R-DEPART-1: a departure reported on day 15 is no alert; one reported on day 16 is listed late for the insured district', async () => {
    const { tokens } = w;
    const [a0, , b0] = traineesB as [typeof traineesB[0], typeof traineesB[0], typeof traineesB[0]];
    expect(a0.insuredDistrict).toBe('320214');
    expect(b0.insuredDistrict).toBe('320211');
    const onTime = await ok(w, 200, 'POST', `/v1/cohorts/${cohortB}/trainees/${a0.id}/departure`, { token: tokens.smeA, now: at('2027-01-17'), body: { leftOn: '2027-01-02' } });
    expect(onTime.lateReport).toBe(false);
    const late = await ok(w, 200, 'POST', `/v1/cohorts/${cohortB}/trainees/${b0.id}/departure`, { token: tokens.smeB, now: at('2027-01-18'), body: { leftOn: '2027-01-02' } });
    expect(late.lateReport).toBe(true);

    expect(of(await alerts(tokens.binhu, '2027-02-01'), cohortB)).toEqual([
      { rule: 'R-DEPART-1', cohortId: cohortB, subjectId: b0.id, district: '320211', dueOn: '2027-01-17', overdueDays: 1, status: 'late', doneOn: '2027-01-18' },
    ]);
    expect(of(await alerts(tokens.xinwu, '2027-02-01'), cohortB)).toEqual([]);
  });

  it('R-ASSESS-1: still in training after the planned end is overdue the day after it', async () => {
    const { tokens } = w;
    expect(of(await alerts(tokens.xinwu, '2027-08-31'), cohortB)).toEqual([]);
    expect(of(await alerts(tokens.xinwu, '2027-09-01'), cohortB)).toEqual([
      { rule: 'R-ASSESS-1', cohortId: cohortB, district: '320214', dueOn: '2027-08-31', overdueDays: 1, status: 'overdue' },
    ]);
  });

  it('R-CLOSE-1: closing due one month after the last assessment; submitted late it stays listed as late', async () => {
    const { tokens } = w;
    const remaining = traineesB.filter((_, i) => i === 1 || i === 3);
    const results = remaining.map((t, i) => ({ traineeId: t.id, passed: true, method: 'third_party', assessedOn: '2027-08-10', certificateNo: `CERT-${i}` }));
    const assessed = await ok(w, 200, 'POST', `/v1/cohorts/${cohortB}/assessments`, { token: tokens.chamber, now: at('2027-08-12'), body: { results } });
    expect(assessed.status).toBe('assessed');
    expect(assessed.deadlines.closingDue).toBe('2027-09-10');
    // Assessed within the window: R-ASSESS-1 is met, no alert even after the planned end.
    expect(of(await alerts(tokens.xinwu, '2027-09-01'), cohortB, 'R-ASSESS-1')).toEqual([]);

    expect(of(await alerts(tokens.xinwu, '2027-09-10'), cohortB)).toEqual([]);
    expect(of(await alerts(tokens.xinwu, '2027-09-11'), cohortB)).toEqual([
      { rule: 'R-CLOSE-1', cohortId: cohortB, district: '320214', dueOn: '2027-09-10', overdueDays: 1, status: 'overdue' },
    ]);
    const closing = await ok(w, 200, 'POST', `/v1/cohorts/${cohortB}/closing`, { token: tokens.chamber, now: at('2027-09-15'), body: { materials: [{ name: '结班材料.pdf', sha256: 'b'.repeat(64) }] } });
    expect(closing.closing.late).toBe(true);
    expect(of(await alerts(tokens.xinwu, '2027-10-01'), cohortB)).toEqual([
      { rule: 'R-CLOSE-1', cohortId: cohortB, district: '320214', dueOn: '2027-09-10', overdueDays: 5, status: 'late', doneOn: '2027-09-15' },
    ]);
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortB}/closing/accept`, { token: tokens.xinwu, now: at('2027-10-08') });
    expect(of(await alerts(tokens.xinwu, '2027-12-01'), cohortB, 'R-CLOSE-1')).toHaveLength(1);
  });

  it('filters by rule', async () => {
    const { tokens } = w;
    const onlyClose = await alerts(tokens.cityBureau, '2027-10-01', '&rule=R-CLOSE-1');
    expect(onlyClose.map((a) => a.rule)).toEqual(['R-CLOSE-1']);
    await ok(w, 400, 'GET', '/v1/alerts?rule=R-NOPE-1', { token: tokens.cityBureau });
  });
});

describe('R-ALERT-1: jurisdiction', () => {
  const day = '2027-10-01';
  let jiangyin: string;
  beforeAll(async () => {
    // Deadlines of cohorts elsewhere, written as the cohort services write them: one in a
    // county-level city of Wuxi (江阴市 320281), one in another city (苏州市 320505).
    await w.h.store.transact([
      openDeadlineOp({ rule: 'R-FILE-1', cohortId: 'COHORT-JIANGYIN', subjectId: 'COHORT-JIANGYIN', district: '320281', dueOn: '2027-03-01' }),
      openDeadlineOp({ rule: 'R-REVIEW-2', cohortId: 'COHORT-SUZHOU', subjectId: 'COHORT-SUZHOU', district: '320505', dueOn: '2027-03-01' }),
    ]);
    const bureau = await w.h.createOrg({ kind: 'hr_bureau', district: '320281', level: 'city' });
    jiangyin = await w.h.token(bureau.id, 'hr');
  });

  const summary = (items: AlertItem[]) => items.map((a) => `${a.cohortId === reviewCohort ? 'A' : a.cohortId === cohortB ? 'B' : a.cohortId}:${a.rule}`).sort();

  it('a district bureau sees its own district, a city bureau its whole city, a county-level city its own, an auditor everything', async () => {
    const { tokens } = w;
    expect(summary(await alerts(tokens.xinwu, day))).toEqual(['A:R-REVIEW-2', 'B:R-CLOSE-1']);
    expect(summary(await alerts(tokens.binhu, day))).toEqual(['B:R-DEPART-1']);
    expect(await alerts(tokens.liangxi, day)).toEqual([]);
    expect(summary(await alerts(jiangyin, day))).toEqual(['COHORT-JIANGYIN:R-FILE-1']);
    expect(summary(await alerts(tokens.cityBureau, day))).toEqual(['A:R-REVIEW-2', 'B:R-CLOSE-1', 'B:R-DEPART-1', 'COHORT-JIANGYIN:R-FILE-1']);
    expect(summary(await alerts(tokens.auditor, day))).toEqual(['A:R-REVIEW-2', 'B:R-CLOSE-1', 'B:R-DEPART-1', 'COHORT-JIANGYIN:R-FILE-1', 'COHORT-SUZHOU:R-REVIEW-2']);
  });

  it('anyone else is refused (403)', async () => {
    const { tokens } = w;
    for (const token of [tokens.smeA, tokens.chamber, tokens.provider, tokens.evaluator, tokens.experts[0]!, tokens.admin]) {
      expect((await ok(w, 403, 'GET', '/v1/alerts', { token, now: at(day) })).code).toBe('FORBIDDEN');
    }
  });

  it('pages with limit and cursor, also when the district filter drops items, oldest due date first', async () => {
    const { tokens } = w;
    for (const token of [tokens.auditor, tokens.xinwu, tokens.binhu]) {
      const all = (await ok(w, 200, 'GET', '/v1/alerts?limit=200', { token, now: at(day) })).items as AlertItem[];
      const paged: AlertItem[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: AlertItem[]; nextCursor: string | null } = await ok(w, 200, 'GET', `/v1/alerts?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token, now: at(day) });
        expect(page.items.length).toBeLessThanOrEqual(1);
        paged.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all);
      expect(all.map((a) => a.dueOn)).toEqual([...all.map((a) => a.dueOn)].sort());
    }
  });
});
