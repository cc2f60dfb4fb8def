import type { IsoDate } from '../domain/dates.js';
import type { Lang } from './errors.js';
import type { Organization } from '../services/organizations.js';

export const roles = ['admin', 'chamber', 'enterprise', 'provider', 'hr', 'expert', 'evaluator', 'auditor'] as const;
export type Role = (typeof roles)[number];

/** The authenticated caller. `org` is absent only for admin (org "platform"). */
export interface Principal {
  sub: string;
  orgId: string;
  role: Role;
  org?: Organization;
}

/** What every service call receives: who acts, and "now" from the request clock (never new Date()). */
export interface RequestContext {
  principal: Principal;
  now: Date;
  today: IsoDate;
  requestId: string;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    now: Date;
    today: IsoDate;
    lang: Lang;
    principal: Principal;
  };
}
