import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  cohortActions,
  cohortStatuses,
  designEditable,
  holdsEnrolment,
  isTerminal,
  nextStatus,
  type CohortAction,
  type CohortStatus,
} from '../../shared/domain/cohort-state.js';

/** The diagram of SPEC "Cohort states", one line per arrow. */
const arrows: [CohortStatus, CohortAction, CohortStatus][] = [
  ['draft', 'submit', 'submitted'],
  ['submitted', 'accept', 'under_review'],
  ['under_review', 'approve', 'publicized'],
  ['under_review', 'reject', 'rejected'],
  ['publicized', 'plan', 'planned'],
  ['planned', 'allFiled', 'filed'],
  ['filed', 'allFilingUnitsApproved', 'in_training'],
  ['in_training', 'allAssessed', 'assessed'],
  ['assessed', 'submitClosing', 'closing_review'],
  ['closing_review', 'acceptClosing', 'closed'],
  ['draft', 'cancel', 'cancelled'],
  ['submitted', 'cancel', 'cancelled'],
  ['under_review', 'cancel', 'cancelled'],
  ['publicized', 'cancel', 'cancelled'],
  ['planned', 'cancel', 'cancelled'],
  ['filed', 'cancel', 'cancelled'],
];

describe('Cohort states', () => {
  it.each(arrows)('%s --%s--> %s', (from, action, to) => {
    expect(nextStatus(from, action)).toBe(to);
  });

  it('refuses every other (status, action) pair (INVALID_STATE)', () => {
    for (const status of cohortStatuses) {
      for (const action of cohortActions) {
        const arrow = arrows.find(([f, a]) => f === status && a === action);
        expect(nextStatus(status, action), `${status} --${action}-->`).toBe(arrow?.[2]);
      }
    }
  });

  it('cannot be cancelled from in_training on', () => {
    for (const s of ['in_training', 'assessed', 'closing_review', 'closed', 'rejected', 'cancelled'] as const) {
      expect(nextStatus(s, 'cancel')).toBeUndefined();
    }
  });

  it('lists the allowed actions of a status', () => {
    expect(allowedActions('under_review')).toEqual(['approve', 'reject', 'cancel']);
    expect(allowedActions('closed')).toEqual([]);
  });

  it('closed, rejected and cancelled are terminal', () => {
    expect(cohortStatuses.filter(isTerminal)).toEqual(['closed', 'rejected', 'cancelled']);
    for (const s of cohortStatuses.filter(isTerminal)) expect(allowedActions(s)).toEqual([]);
  });

  it('only a draft can have its design edited', () => {
    expect(cohortStatuses.filter(designEditable)).toEqual(['draft']);
  });
});

describe('R-ELIG-4 a cohort holds its trainees until it is closed, rejected or cancelled', () => {
  it.each(cohortStatuses.map((s) => [s, !['closed', 'rejected', 'cancelled'].includes(s)] as const))(
    '%s holds enrolment: %s',
    (status, holds) => {
      expect(holdsEnrolment(status)).toBe(holds);
    },
  );
});
