/**
 * docs/subsidy-worked-examples.md cannot drift from the code: every trainee row, line row, total,
 * rounding remark and month count printed there is recomputed here, with the pure domain
 * functions and with SubsidyService.computeLines (the engine the closing acceptance runs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SubsidyService } from '../../shared/services/subsidy.js';
import type { Organization, OrganizationService } from '../../shared/services/organizations.js';
import type { PolicyService } from '../../shared/services/policy.js';
import type { Store } from '../../shared/db/store.js';
import type { Cohort, Trainee } from '../../shared/services/cohorts/model.js';
import { addDays, addMonths } from '../../shared/domain/dates.js';
import type { Level } from '../../shared/domain/levels.js';
import { divideRoundHalfUp, policy2024, splitShares, traineeSubsidy, trainingStartOf } from '../../shared/domain/subsidy.js';

const doc = readFileSync(new URL('../../docs/subsidy-worked-examples.md', import.meta.url), 'utf8');
const lines = doc.split('\n');

const fmt = (n: number) => n.toLocaleString('en-US');
/** rate × months ÷ 12 shown with two decimals (half up), as the doc prints the exact quotient. */
const exact = (rateFen: number, months: number) => {
  const cents = Number(divideRoundHalfUp(BigInt(rateFen) * BigInt(months) * 100n, 12n));
  return `${fmt(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`;
};
const yuan = (fen: number) => `${fmt(Math.floor(fen / 100))}.${String(fen % 100).padStart(2, '0')} 元`;
const districtLabel: Record<string, string> = { '320214': '320214 新吴区', '320211': '320211 滨湖区', '320213': '320213 梁溪区' };
const bureauName: Record<string, string> = { '320214': '新吴区人社局', '320211': '滨湖区人社局', '320213': '梁溪区人社局' };

interface ExampleTrainee { name: string; enterprise: string; district: string; outcome: 'passed' | 'failed' | 'departed'; assessedOn?: string }
interface Example { level: Level; plannedStart: string; plannedEnd: string; enteredTrainingOn: string; trainees: ExampleTrainee[] }

const joint: Example = {
  level: 'intermediate', plannedStart: '2026-05-01', plannedEnd: '2027-10-31', enteredTrainingOn: '2026-04-28',
  trainees: [
    { name: '张伟', enterprise: '甲', district: '320214', outcome: 'passed', assessedOn: '2027-09-15' },
    { name: '李娜', enterprise: '甲', district: '320214', outcome: 'passed', assessedOn: '2027-10-20' },
    { name: '王强', enterprise: '乙', district: '320211', outcome: 'passed', assessedOn: '2027-09-15' },
    { name: '赵敏', enterprise: '乙', district: '320214', outcome: 'passed', assessedOn: '2027-08-31' },
    { name: '陈杰', enterprise: '丙', district: '320214', outcome: 'passed', assessedOn: '2027-10-31' },
    { name: '刘洋', enterprise: '丙', district: '320214', outcome: 'failed', assessedOn: '2027-10-15' },
  ],
};

const group: Example = {
  level: 'technician', plannedStart: '2026-09-01', plannedEnd: '2028-08-31', enteredTrainingOn: '2026-09-15',
  trainees: [
    { name: '孙磊', enterprise: '总部', district: '320214', outcome: 'passed', assessedOn: '2028-08-20' },
    { name: '周婷', enterprise: '总部', district: '320214', outcome: 'departed' },
    { name: '吴昊', enterprise: '成员一', district: '320211', outcome: 'passed', assessedOn: '2028-06-10' },
    { name: '郑雪', enterprise: '成员一', district: '320211', outcome: 'failed', assessedOn: '2028-06-10' },
    { name: '冯刚', enterprise: '成员二', district: '320213', outcome: 'passed', assessedOn: '2028-08-31' },
  ],
};

/** The engine, with the bureau of district D named B<D> and sitting in D. */
const organizations = {
  findMany: async (ids: string[]) => new Map(ids.map((id) => [id, { id, kind: 'hr_bureau', district: id.slice(1) } as Organization])),
} as unknown as OrganizationService;
const engine = new SubsidyService(undefined as unknown as Store, organizations, undefined as unknown as PolicyService);

async function run(ex: Example) {
  const cohort = { id: 'WORKED', level: ex.level, plannedStart: ex.plannedStart, plannedEnd: ex.plannedEnd, enteredTrainingOn: ex.enteredTrainingOn } as unknown as Cohort;
  const trainees = ex.trainees.map((t, i) => ({
    id: `T${i}`, name: t.name, enterpriseId: t.enterprise, insuredDistrict: t.district, bureauId: `B${t.district}`, status: t.outcome,
    ...(t.assessedOn && t.outcome !== 'departed' ? { assessment: { passed: t.outcome === 'passed', method: 'third_party', assessedOn: t.assessedOn } } : {}),
  })) as unknown as Trainee[];
  return engine.computeLines(cohort, trainees, policy2024, '2027-11-01T00:00:00.000Z');
}

function rowOf(name: string): string {
  const row = lines.find((l) => l.startsWith(`| ${name} |`));
  expect(row, `doc has a row for ${name}`).toBeDefined();
  return row!;
}

async function checkExample(ex: Example) {
  const trainingStart = trainingStartOf(ex.plannedStart, ex.enteredTrainingOn);
  const rateFen = policy2024.ratesYuanPerYear[ex.level] * 100;
  for (const t of ex.trainees) {
    if (t.outcome !== 'passed') {
      expect(rowOf(t.name)).toMatch(/\| 0 \|$/);
      continue;
    }
    const s = traineeSubsidy({ level: ex.level, policy: policy2024, trainingStart, assessedOn: t.assessedOn!, plannedStart: ex.plannedStart, plannedEnd: ex.plannedEnd });
    expect(rowOf(t.name)).toBe(
      `| ${t.name} | ${t.enterprise} | ${districtLabel[t.district]} | ${t.assessedOn} | ${addDays(t.assessedOn!, 1)} | ${s.months} | ${s.plannedMonths} | ${fmt(rateFen)} × ${s.months} ÷ 12 = ${exact(rateFen, s.months)} | ${fmt(s.amountFen)} |`,
    );
  }
  const computed = await run(ex);
  for (const l of computed) {
    const names = l.trainees.map((t) => t.name).join('、');
    expect(doc, `line of ${l.payeeId} paid by ${l.district}`).toContain(`| ${l.payeeId} | ${bureauName[l.district]} | ${names} | ${fmt(l.amountFen)} | ${fmt(l.cityShareFen)} | ${fmt(l.districtShareFen)} |`);
    expect(doc).toContain(yuan(l.amountFen));
    expect(l.trainees.every((t) => t.trainingStart === trainingStart)).toBe(true);
  }
  const sum = (f: (l: (typeof computed)[number]) => number) => computed.reduce((s, l) => s + f(l), 0);
  expect(doc).toContain(`| 合计 | | | ${fmt(sum((l) => l.amountFen))} | ${fmt(sum((l) => l.cityShareFen))} | ${fmt(sum((l) => l.districtShareFen))} |`);
  expect(doc).toContain(`total **${yuan(sum((l) => l.amountFen))}**`);
  // The doc lists exactly these lines in the section's line table.
  const paidNames = new Set(computed.flatMap((l) => l.trainees.map((t) => t.name)));
  for (const t of ex.trainees) expect(paidNames.has(t.name)).toBe(t.outcome === 'passed');
  return computed;
}

describe('docs/subsidy-worked-examples.md matches the code', () => {
  it('Example 1, joint class: trainee rows, lines per (payee, payer), shares, totals', async () => {
    const computed = await checkExample(joint);
    expect(computed).toHaveLength(4);
    expect(trainingStartOf(joint.plannedStart, joint.enteredTrainingOn)).toBe('2026-05-01');
    // The month counts the text spells out.
    expect(addMonths('2026-05-01', 16)).toBe('2027-09-01');
    expect(addMonths('2026-05-01', 17)).toBe('2027-10-01');
    expect(doc).toContain('2026-05-01 + 16 months = 2027-09-01 ≤ 2027-09-16, but + 17 months = 2027-10-01 is later');
    // SPEC's own example: 666,667 fen, split 333,334 + 333,333.
    expect(splitShares(666667, 5000)).toEqual({ cityShareFen: 333334, districtShareFen: 333333 });
    expect(doc).toContain('666,667 × 50 % = 333,333.5 → rounded half up **333,334** to the city; the district pays the\n  rest, **333,333**');
    expect(doc).toContain('666,667 + 708,333 = 1,375,000');
  });

  it('Example 2, group class: late training start, a departed and a failed trainee, per-district ratio note', async () => {
    const computed = await checkExample(group);
    expect(computed).toHaveLength(3);
    expect(trainingStartOf(group.plannedStart, group.enteredTrainingOn)).toBe('2026-09-15');
    expect(addMonths('2026-09-15', 23)).toBe('2028-08-15');
    expect(addMonths('2026-09-15', 24)).toBe('2028-09-15');
    expect(doc).toContain('2026-09-15 + 23\nmonths = 2028-08-15 ≤ 2028-09-01, + 24 months = 2028-09-15 is later, so **23** months');
    expect(splitShares(1341667, 5000)).toEqual({ cityShareFen: 670834, districtShareFen: 670833 });
    expect(doc).toContain('1,341,667 × 50 % = 670,833.5 → **670,834** city, **670,833** district');
    const forty = splitShares(1341667, 4000);
    expect(forty).toEqual({ cityShareFen: 536667, districtShareFen: 805000 });
    expect(doc).toContain(`1,341,667 × 40 % = 536,666.8 → **${fmt(forty.cityShareFen)}**\ncity and 1,341,667 − ${fmt(forty.cityShareFen)} = **${fmt(forty.districtShareFen)}** district`);
  });

  it('the rates and planned months the examples state', () => {
    expect(policy2024.ratesYuanPerYear.intermediate).toBe(5000);
    expect(policy2024.ratesYuanPerYear.technician).toBe(7000);
    expect(traineeSubsidy({ level: 'intermediate', policy: policy2024, trainingStart: '2026-05-01', assessedOn: '2027-10-31', plannedStart: '2026-05-01', plannedEnd: '2027-10-31' }).plannedMonths).toBe(18);
    expect(doc).toContain('Planned months: 2026-05-01 to 2027-11-01 = **18**');
    expect(doc).toContain('planned months **24**');
  });
});
