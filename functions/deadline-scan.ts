/** Lambda entry of the daily deadline scan (EventBridge schedule, R-ALERT-1). */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { cstDate } from '../shared/domain/dates.js';
import { scanDeadlines } from '../shared/services/deadline-scan.js';
import { createLogger, storeFromEnv } from '../shared/runtime.js';

const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Apprenticeship', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'apprenticeship-deadline-scan' });
const logger = createLogger();
const store = storeFromEnv();

export const handler = async () => {
  const result = await scanDeadlines(store, { today: cstDate(new Date()), metrics });
  logger.info('deadline scan', { ...result });
  return result;
};
