import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDeadlineOp } from '../../shared/db/cohorts.js';
import { keys } from '../../shared/db/keys.js';
import { scanDeadlines, type ScanResult } from '../../shared/services/deadline-scan.js';
import { createHarness } from '../support/harness.js';
import { createWorld, ok, readyDraft, toPlanned, type World } from '../support/world.js';

/** R-ALERT-1 daily scan: each overdue deadline recorded once (marker + audit event), counted per rule. */
let w: World;
const at = (day: string) => `${day}T10:00:00+08:00`;
let reviewCohort: string;
let plannedCohort: string;

beforeAll(async () => {
  w = await createWorld(await createHarness());
  const { orgs, tokens } = w;
  const participants = [
    { id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 1 },
    { id: orgs.smeB.id, token: tokens.smeB, district: '320211', trainees: 1 },
  ];
  // Review accepted 2026-06-11 and left open: due 2026-07-11.
  reviewCohort = (await readyDraft(w, { participants })).cohortId;
  await ok(w, 200, 'POST', `/v1/cohorts/${reviewCohort}/submit`, { token: tokens.chamber, now: at('2026-06-10') });
  await ok(w, 200, 'POST', `/v1/cohorts/${reviewCohort}/accept`, { token: tokens.xinwu, now: at('2026-06-11'), body: { experts: ['e1', 'e2', 'e3'] } });
  // Planned 2026-07-10 and never filed: due 2026-07-24.
  plannedCohort = (await readyDraft(w, { participants })).cohortId;
  await toPlanned(w, plannedCohort, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
});

const scanEvents = async (cohortId: string) =>
  ((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/events?limit=200`, { token: w.tokens.auditor })).items as { action: string; actor: unknown; subjectId: string; after: Record<string, unknown> }[]).filter(
    (e) => e.action === 'alert.overdue',
  );

/** A real Powertools Metrics whose flushes are captured as the EMF documents they would print. */
function capturingMetrics() {
  const metrics = new Metrics({ namespace: 'Apprenticeship', serviceName: 'apprenticeship-deadline-scan' });
  const documents: ReturnType<Metrics['serializeMetrics']>[] = [];
  vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(function (this: Metrics) {
    documents.push(metrics.serializeMetrics());
    metrics.clearMetrics();
    metrics.clearDimensions();
    return metrics;
  });
  const perRule = () => Object.fromEntries(documents.map((d) => [d.rule, d.OverdueNew]));
  return { metrics, documents, perRule };
}

describe('R-ALERT-1: daily deadline scan', () => {
  it('records nothing on the due day itself', async () => {
    const result = await scanDeadlines(w.h.store, { today: '2026-07-11' });
    expect(result).toMatchObject({ overdue: 0, newOverdue: 0, alreadyRecorded: 0 });
  });

  it('records a newly overdue deadline once: one marker and one audit event, however often it runs', async () => {
    const { metrics, documents, perRule } = capturingMetrics();
    const first = await scanDeadlines(w.h.store, { today: '2026-07-12', metrics });
    expect(first).toMatchObject({ overdue: 1, newOverdue: 1, alreadyRecorded: 0 });
    expect(first.counts).toEqual({ 'R-REVIEW-2': 1, 'R-FILE-1': 0, 'R-DEPART-1': 0, 'R-ASSESS-1': 0, 'R-CLOSE-1': 0 });

    // The metric: OverdueNew, Count, one EMF document per rule with its `rule` dimension.
    expect(perRule()).toEqual({ 'R-REVIEW-2': 1, 'R-FILE-1': 0, 'R-DEPART-1': 0, 'R-ASSESS-1': 0, 'R-CLOSE-1': 0 });
    for (const doc of documents) {
      const [directive] = doc._aws.CloudWatchMetrics;
      expect(directive).toMatchObject({ Namespace: 'Apprenticeship', Metrics: [{ Name: 'OverdueNew', Unit: 'Count' }] });
      expect(directive!.Dimensions.flat()).toContain('rule');
    }

    const events = await scanEvents(reviewCohort);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: { sub: 'deadline-scanner', role: 'system', orgId: 'platform' },
      subjectId: reviewCohort,
      after: { rule: 'R-REVIEW-2', dueOn: '2026-07-11', district: '320214', detectedOn: '2026-07-12', overdueDays: 1 },
    });
    const marker = await w.h.store.get(keys.scanMarker('2026-07-11', reviewCohort, 'R-REVIEW-2', reviewCohort));
    expect(marker).toMatchObject({ rule: 'R-REVIEW-2', cohortId: reviewCohort, dueOn: '2026-07-11', detectedOn: '2026-07-12' });

    // Twice the same day, and the next days while it stays overdue: nothing more.
    const again = capturingMetrics();
    for (const today of ['2026-07-12', '2026-07-13', '2026-07-20']) {
      const r = await scanDeadlines(w.h.store, { today, metrics: again.metrics });
      expect(r).toMatchObject({ overdue: 1, newOverdue: 0, alreadyRecorded: 1 });
    }
    expect(again.documents).toHaveLength(15);
    expect(again.documents.every((d) => d.OverdueNew === 0)).toBe(true);
    expect(await scanEvents(reviewCohort)).toHaveLength(1);
    const markers = await w.h.store.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.scanMarker('2026-07-11', reviewCohort, 'R-REVIEW-2', reviewCohort).PK } });
    expect(markers).toHaveLength(1);
  });

  it('picks up the next rule when it falls due, and skips deadlines met late (no longer open)', async () => {
    const { tokens } = w;
    const r = await scanDeadlines(w.h.store, { today: '2026-07-25', pageSize: 1 });
    expect(r).toMatchObject({ overdue: 2, newOverdue: 1, alreadyRecorded: 1 });
    expect(r.counts['R-FILE-1']).toBe(1);
    expect(await scanEvents(plannedCohort)).toHaveLength(1);

    // The review is decided late: the deadline is closed (listed as late by /v1/alerts), the scan leaves it.
    for (const t of tokens.experts.slice(0, 3)) await ok(w, 201, 'POST', `/v1/cohorts/${reviewCohort}/votes`, { token: t, now: at('2026-07-26'), body: { decision: 'approve' } });
    await ok(w, 200, 'POST', `/v1/cohorts/${reviewCohort}/decision`, { token: tokens.xinwu, now: at('2026-07-26'), body: { decision: 'approve' } });
    const later = await scanDeadlines(w.h.store, { today: '2026-07-27' });
    expect(later).toMatchObject({ overdue: 1, newOverdue: 0, alreadyRecorded: 1 });
    expect(await scanEvents(reviewCohort)).toHaveLength(1);
  });

  it('records each of many overdue deadlines once when runs overlap', async () => {
    const seeded = Array.from({ length: 12 }, (_, i) => ({ rule: 'R-ASSESS-1' as const, cohortId: `COHORT-MANY-${i}`, subjectId: `COHORT-MANY-${i}`, district: '320213', dueOn: '2026-08-01' }));
    await w.h.store.transact(seeded.map((d) => openDeadlineOp(d)));
    const runs = await Promise.all([0, 1, 2].map(() => scanDeadlines(w.h.store, { today: '2026-08-02', concurrency: 4 })));
    expect(runs.reduce((n, r) => n + r.counts['R-ASSESS-1'], 0)).toBe(12);
    for (const d of seeded) {
      const events = await w.h.store.queryAll({ KeyConditionExpression: 'PK = :pk AND begins_with(SK, :e)', ExpressionAttributeValues: { ':pk': keys.cohortPK(d.cohortId), ':e': keys.eventPrefix } });
      expect(events.map((e) => e.action)).toEqual(['alert.overdue']);
    }
  });
});

describe('functions/deadline-scan.ts (Lambda entry)', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.TABLE_NAME = w.h.tableName;
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'Apprenticeship';
  });
  afterAll(() => {
    process.env = saved;
  });

  it('scans the table of TABLE_NAME for the CST date of today, emits the metrics and is idempotent', async () => {
    await w.h.store.transact([openDeadlineOp({ rule: 'R-CLOSE-1', cohortId: 'COHORT-OLD', subjectId: 'COHORT-OLD', district: '320214', dueOn: '2020-01-31' })]);
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const { handler } = await import('../../functions/deadline-scan.js');
      const first: ScanResult = await handler();
      expect(first.counts['R-CLOSE-1']).toBe(1);
      const second: ScanResult = await handler();
      expect(second.newOverdue).toBe(0);
    } finally {
      write.mockRestore();
    }
    const emf = printed.flatMap((line) => line.split('\n')).filter((line) => line.includes('"CloudWatchMetrics"')).map((line) => JSON.parse(line));
    const closeDocs = emf.filter((d) => d.rule === 'R-CLOSE-1');
    expect(closeDocs.map((d) => d.OverdueNew)).toEqual([1, 0]);
    expect(closeDocs[0]._aws.CloudWatchMetrics[0].Namespace).toBe('Apprenticeship');
  });
});
