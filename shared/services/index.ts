import type { AppConfig } from '../config.js';
import type { Store } from '../db/store.js';
import { CalendarService, OccupationService } from './catalogue.js';
import { CohortDesignService } from './cohorts/design.js';
import { CohortLifecycleService } from './cohorts/lifecycle.js';
import { OrganizationService } from './organizations.js';
import { PolicyService } from './policy.js';
import { SubsidyService } from './subsidy.js';

/** Every application service, built once per app from the same store and configuration. */
export function createServices(store: Store, config: AppConfig) {
  const organizations = new OrganizationService(store);
  const occupations = new OccupationService(store);
  const calendar = new CalendarService(store);
  const policy = new PolicyService(store);
  return {
    store,
    config,
    organizations,
    occupations,
    calendar,
    policy,
    cohorts: new CohortDesignService(store, config, organizations, occupations),
    lifecycle: new CohortLifecycleService(store, config, organizations, calendar),
    subsidy: new SubsidyService(store, organizations, policy),
  };
}

export type Services = ReturnType<typeof createServices>;
