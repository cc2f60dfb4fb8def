import type { App } from '../app.js';
import type { Services } from '../../services/index.js';
import { registerCatalogueRoutes } from './catalogue.js';
import { registerExportRoutes } from './exports.js';
import { registerCohortRoutes } from './cohorts.js';
import { registerDemandRoutes } from './demands.js';
import { registerLifecycleRoutes } from './lifecycle.js';
import { registerOrganizationRoutes } from './organizations.js';
import { registerPolicyRoutes } from './policy.js';
import { registerSubsidyRoutes } from './subsidy.js';
import { registerSupervisionRoutes } from './supervision.js';

export function registerRoutes(app: App, services: Services) {
  registerOrganizationRoutes(app, services);
  registerCatalogueRoutes(app, services);
  registerPolicyRoutes(app, services);
  registerCohortRoutes(app, services);
  registerLifecycleRoutes(app, services);
  // Hono runs the first route that matches: GET /v1/disbursements/statement (exports) must come
  // before GET /v1/disbursements/{lineId} (subsidy).
  registerExportRoutes(app, services);
  registerSubsidyRoutes(app, services);
  registerDemandRoutes(app, services);
  registerSupervisionRoutes(app, services);
}
