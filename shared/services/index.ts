import type { AppConfig } from '../config.js';
import type { Store } from '../db/store.js';
import { CalendarService, OccupationService } from './catalogue.js';
import { OrganizationService } from './organizations.js';

/** Every application service, built once per app from the same store and configuration. */
export function createServices(store: Store, config: AppConfig) {
  const organizations = new OrganizationService(store);
  const occupations = new OccupationService(store);
  const calendar = new CalendarService(store);
  return { store, config, organizations, occupations, calendar };
}

export type Services = ReturnType<typeof createServices>;
