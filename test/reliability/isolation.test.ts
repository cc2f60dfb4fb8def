/**
 * Tenant isolation on what exists today: Idempotency-Key records are scoped to (organisation,
 * user), so one caller's key never replays, blocks or leaks another caller's answer. Cohort
 * visibility cases (404 for non-parties, lists filtered per viewer) go here when cohorts land;
 * each case counts in the figures as an isolation case.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../shared/http/local-tokens.js';
import { createHarness, creditCode, type Harness } from '../support/harness.js';
import { record } from './figures.js';
import { scanAll } from './table.js';

let h: Harness;
let enterpriseToken: string;
let otherAdmin: string;
beforeAll(async () => {
  h = await createHarness();
  const enterprise = await h.createOrg({ kind: 'enterprise', district: '320214' });
  enterpriseToken = await h.token(enterprise.id, 'enterprise');
  otherAdmin = await signLocalToken({ sub: 'admin-2', org: 'platform', role: 'admin' });
});

const org = () => ({ kind: 'chamber', name: '商会', creditCode: creditCode('320214'), district: '320214' });

describe('Idempotency-Key is scoped to its caller', () => {
  it("another organisation's caller reusing a key gets its own answer (403), not a replay", async () => {
    const key = `iso-a-${Date.now()}`;
    const body = org();
    const first = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const intruder = await h.call('POST', '/v1/organizations', { token: enterpriseToken, body, headers: { 'idempotency-key': key } });
    expect(intruder.status).toBe(403);
    expect(intruder.headers.get('idempotent-replayed')).toBeNull();
    expect(JSON.stringify(intruder.body)).not.toContain(first.body.id);
    record({ isolation: 1 });
  });

  it('another user of the same organisation with the same key and another body is not refused as a reuse', async () => {
    const key = `iso-b-${Date.now()}`;
    const a = await h.call('POST', '/v1/organizations', { token: h.adminToken, body: org(), headers: { 'idempotency-key': key } });
    const b = await h.call('POST', '/v1/organizations', { token: otherAdmin, body: org(), headers: { 'idempotency-key': key } });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    record({ isolation: 1 });
  });

  it('the same user with the same key and same body replays; the stored record names no caller or key in clear', async () => {
    const key = `iso-c-${Date.now()}`;
    const body = org();
    const first = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } });
    const again = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const records = (await scanAll(h.tableName)).filter((r) => r.PK.startsWith('IDEMPOTENCY#'));
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r.PK).not.toContain(key);
      expect(r.PK).not.toContain('admin-1');
      expect(typeof r.expiresAt).toBe('number');
    }
    record({ isolation: 1 });
  });
});
