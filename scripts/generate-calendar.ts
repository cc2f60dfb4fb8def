/** Regenerates shared/domain/official-calendar.ts after a `chinese-days` upgrade (npm run generate:calendar). */
import { writeFileSync } from 'node:fs';
import { renderOfficialCalendar } from './lib/official-calendar.js';

const target = new URL('../shared/domain/official-calendar.ts', import.meta.url);
writeFileSync(target, renderOfficialCalendar());
console.log(`wrote ${target.pathname}`);
