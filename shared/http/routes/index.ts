import type { App } from '../app.js';
import type { Services } from '../../services/index.js';
import { registerCatalogueRoutes } from './catalogue.js';
import { registerOrganizationRoutes } from './organizations.js';

export function registerRoutes(app: App, services: Services) {
  registerOrganizationRoutes(app, services);
  registerCatalogueRoutes(app, services);
}
