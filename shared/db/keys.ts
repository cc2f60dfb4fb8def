/**
 * Every key of the single table is built here and nowhere else. See the README's access-pattern
 * table for which key or index serves which read.
 */
export const keys = {
  organization: (id: string) => ({ PK: `ORG#${id}`, SK: 'ORG' }),
  /** Uniqueness guard of the unified social credit code. */
  creditCode: (code: string) => ({ PK: `CREDITCODE#${code}`, SK: 'CREDITCODE' }),
  /** One hr_bureau per division code; R-ROUTE-1/2 find the competent bureau through it. */
  bureauOfDistrict: (district: string) => ({ PK: `BUREAU#${district}`, SK: 'BUREAU' }),
  occupation: (code: string) => ({ PK: 'CATALOG#OCCUPATION', SK: `OCC#${code}` }),
  occupationsPartition: 'CATALOG#OCCUPATION',
  /** The occupations of their partition, which also holds their audit events (EVENT#…). */
  occupationPrefix: 'OCC#',
  calendarYear: (year: number) => ({ PK: 'CALENDAR', SK: `YEAR#${year}` }),
  policyVersion: (effectiveFrom: string) => ({ PK: 'POLICY', SK: `VERSION#${effectiveFrom}` }),
  policyPartition: 'POLICY',
  idempotency: (scope: string) => ({ PK: `IDEMPOTENCY#${scope}`, SK: 'IDEMPOTENCY' }),
  event: (subjectPK: string, eventId: string) => ({ PK: subjectPK, SK: `EVENT#${eventId}` }),
  eventPrefix: 'EVENT#',

  cohort: (id: string) => ({ PK: `COHORT#${id}`, SK: 'COHORT' }),
  cohortPK: (id: string) => `COHORT#${id}`,
  /**
   * Trainees sort right after their cohort item and share its SK prefix, so one Query
   * (`begins_with(SK, 'COHORT')`) reads a cohort with its roster: submit and closing acceptance
   * need both and read them in one round trip.
   */
  trainee: (cohortId: string, traineeId: string) => ({ PK: `COHORT#${cohortId}`, SK: `COHORT#TRAINEE#${traineeId}` }),
  traineePrefix: 'COHORT#TRAINEE#',
  cohortWithRosterPrefix: 'COHORT',
  /** Who may see a cohort in a listing (organiser, participants, provider, bureaus, experts, everyone-for-auditors). */
  viewer: (cohortId: string, principal: string) => ({ PK: `COHORT#${cohortId}`, SK: `VIEWER#${principal}` }),
  viewerPrefix: 'VIEWER#',
  /** R-ELIG-4: the one open cohort a person (by ID hash) is enrolled in. */
  personEnrolment: (personHash: string) => ({ PK: `PERSON#${personHash}`, SK: 'ENROLMENT' }),
  /** R-ELIG-4: a person subsidised once per (occupation, level), ever. */
  personSubsidy: (personHash: string, occupationCode: string, level: string) => ({
    PK: `PERSON#${personHash}`,
    SK: `SUBSIDY#${occupationCode}#${level}`,
  }),
  subsidyLine: (cohortId: string, lineId: string) => ({ PK: `COHORT#${cohortId}`, SK: `LINE#${lineId}` }),
  subsidyLinePrefix: 'LINE#',
  deadline: (cohortId: string, kind: string, subjectId: string) => ({ PK: `COHORT#${cohortId}`, SK: `DUE#${kind}#${subjectId}` }),
  deadlinePrefix: 'DUE#',
  demand: (id: string) => ({ PK: `DEMAND#${id}`, SK: 'DEMAND' }),
  kpi: (year: number, district: string) => ({ PK: `KPI#${year}`, SK: `DISTRICT#${district}` }),
  /** R-KPI-1: every district's counters of a year (one partition). */
  kpiPartition: (year: number) => `KPI#${year}`,
  /** R-KPI-1: sort-key prefix of the districts of one city (320200 → every 3202xx). */
  kpiCityPrefix: (cityCode: string) => `DISTRICT#${cityCode.slice(0, 4)}`,
  /**
   * R-ALERT-1 daily scan: one marker per overdue episode of a deadline, keyed by its due date (not
   * by the scan day), so a deadline overdue for many days is recorded once.
   */
  scanMarker: (dueOn: string, cohortId: string, kind: string, subjectId: string) => ({
    PK: `SCAN#${dueOn}`,
    SK: `${cohortId}#${kind}#${subjectId}`,
  }),
} as const;

/** Secondary-index keys, also only built here. */
export const indexKeys = {
  organizationsByKind: (kind: string) => `ORGS#${kind}`,
  allOrganizations: 'ORGS',
  membersOf: (parentId: string) => `MEMBERS#${parentId}`,
  viewerCohorts: (principal: string) => `VIEWER#${principal}`,
  payerLines: (bureauId: string) => `PAYER#${bureauId}`,
  payeeLines: (enterpriseId: string) => `PAYEE#${enterpriseId}`,
  allLines: 'LINES',
  chamberDemands: (chamberId: string) => `DEMANDS#${chamberId}`,
  enterpriseDemands: (enterpriseId: string) => `DEMANDS_BY#${enterpriseId}`,
  /** Every demand, for auditors (GSI3). */
  allDemands: 'DEMANDS',
  deadlinesOf: (bureauDistrict: string) => `DUE#${bureauDistrict}`,
} as const;
