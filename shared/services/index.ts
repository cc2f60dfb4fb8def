import type { AppConfig } from '../config.js';
import type { Store } from '../db/store.js';
import { CalendarService, OccupationService } from './catalogue.js';
import { CohortDesignService } from './cohorts/design.js';
import { CohortLifecycleService } from './cohorts/lifecycle.js';
import { DemandService } from './demands.js';
import { OrganizationService } from './organizations.js';
import { PolicyService } from './policy.js';
import { SubsidyService } from './subsidy.js';
import { SupervisionService } from './supervision.js';

/** Every application service, built once per app from the same store and configuration. */
export function createServices(store: Store, config: AppConfig) {
  const organizations = new OrganizationService(store);
  const occupations = new OccupationService(store);
  const calendar = new CalendarService(store);
  const policy = new PolicyService(store);
  const cohorts = new CohortDesignService(store, config, organizations, occupations);
  return {
    store,
    config,
    organizations,
    occupations,
    calendar,
    policy,
    cohorts,
    lifecycle: new CohortLifecycleService(store, config, organizations, calendar),
    subsidy: new SubsidyService(store, organizations, policy),
    demands: new DemandService(store, organizations, occupations, cohorts),
    supervision: new SupervisionService(store),
  };
}

export type Services = ReturnType<typeof createServices>;
