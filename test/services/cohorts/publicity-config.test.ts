/** R-PLAN-1 with a configured publicity period: createHarness({ publicityWorkingDays: 3 }). */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../../support/harness.js';
import { createWorld, ok, readyDraft, refused, rulesOf, toPublicized, type World } from '../../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness({ publicityWorkingDays: 3 }));
});

describe('R-PLAN-1: the publicity period is configuration (design choice), here 3 working days', () => {
  it('R-PLAN-1: approved Wed 2026-07-01 → publicity until Mon 07-06; plan on 07-06 refused, on Tue 07-07 listed', async () => {
    const { cohortId } = await readyDraft(w, {
      participants: [
        { id: w.orgs.smeA.id, token: w.tokens.smeA, district: '320214', trainees: 1 },
        { id: w.orgs.smeB.id, token: w.tokens.smeB, district: '320211', trainees: 1 },
      ],
    });
    const c = await toPublicized(w, cohortId, { organizer: w.tokens.chamber, bureau: w.tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: w.tokens.experts.slice(0, 3) });
    expect([c.publicity.until, c.deadlines.publicityUntil]).toEqual(['2026-07-06', '2026-07-06']);
    const p = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/plan`, { token: w.tokens.xinwu, now: '2026-07-06T16:00:00+08:00' });
    expect(rulesOf(p)).toEqual(['R-PLAN-1']);
    expect(p.detail).toMatch(/2026-07-06/);
    const planned = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: w.tokens.xinwu, now: '2026-07-07T09:00:00+08:00' });
    // R-FILE-1 is unaffected by the publicity setting: 10 working days after 07-07.
    expect([planned.status, planned.deadlines.filingDue]).toEqual(['planned', '2026-07-21']);
  });
});
