/** The cohort state machine of SPEC "Cohort states", as one transition table. */

export const cohortStatuses = [
  'draft',
  'submitted',
  'under_review',
  'publicized',
  'planned',
  'filed',
  'in_training',
  'assessed',
  'closing_review',
  'closed',
  'rejected',
  'cancelled',
] as const;
export type CohortStatus = (typeof cohortStatuses)[number];

export const cohortActions = [
  'submit',
  'accept',
  'approve',
  'reject',
  'plan',
  'allFiled',
  'allFilingUnitsApproved',
  'allAssessed',
  'submitClosing',
  'acceptClosing',
  'cancel',
] as const;
export type CohortAction = (typeof cohortActions)[number];

/** status → action → next status. Anything absent is refused (INVALID_STATE). */
export const cohortTransitions: Readonly<Record<CohortStatus, Readonly<Partial<Record<CohortAction, CohortStatus>>>>> = {
  draft: { submit: 'submitted', cancel: 'cancelled' },
  submitted: { accept: 'under_review', cancel: 'cancelled' },
  under_review: { approve: 'publicized', reject: 'rejected', cancel: 'cancelled' },
  publicized: { plan: 'planned', cancel: 'cancelled' },
  planned: { allFiled: 'filed', cancel: 'cancelled' },
  filed: { allFilingUnitsApproved: 'in_training', cancel: 'cancelled' },
  in_training: { allAssessed: 'assessed' },
  assessed: { submitClosing: 'closing_review' },
  closing_review: { acceptClosing: 'closed' },
  closed: {},
  rejected: {},
  cancelled: {},
};

export function isCohortStatus(s: unknown): s is CohortStatus {
  return typeof s === 'string' && (cohortStatuses as readonly string[]).includes(s);
}

/** The status after `action`, or undefined when the action is not allowed in `status`. */
export function nextStatus(status: CohortStatus, action: CohortAction): CohortStatus | undefined {
  return cohortTransitions[status]?.[action];
}

/** Actions allowed in a status, in cohortActions order. */
export function allowedActions(status: CohortStatus): CohortAction[] {
  return cohortActions.filter((a) => nextStatus(status, a) !== undefined);
}

const TERMINAL: readonly CohortStatus[] = ['closed', 'rejected', 'cancelled'];

export function isTerminal(status: CohortStatus): boolean {
  return TERMINAL.includes(status);
}

/** R-ELIG-4: a trainee in a cohort in this status may not be enrolled in another one. */
export function holdsEnrolment(status: CohortStatus): boolean {
  return !isTerminal(status);
}

/** The class design (curriculum, period, mentors …) can be edited only in draft. */
export function designEditable(status: CohortStatus): boolean {
  return status === 'draft';
}
