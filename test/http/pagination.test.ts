/**
 * List cursors (API.md: `?limit=`, `?cursor=`, `{items, nextCursor}`): a genuine cursor continues the
 * list; anything else is 400 VALIDATION_FAILED, never a 500, including a cursor edited by hand
 * whose start key DynamoDB itself refuses.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { createWorld, design, ok, refused, type World } from '../support/world.js';

let w: World;
const NOW = '2026-06-01T10:00:00+08:00';
let cohortId: string;

beforeAll(async () => {
  w = await createWorld(await createHarness());
  for (let i = 0; i < 3; i++) cohortId = (await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.chamber, now: NOW, body: design(w) })).id;
  await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/participants`, { token: w.tokens.chamber, now: NOW, body: { enterpriseId: w.orgs.smeA.id } });
});

type Cursor = { k: Record<string, unknown>; q: string };
const decode = (c: string) => JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Cursor;
const encode = (c: unknown) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** Lists with at least two pages for their caller. */
const lists = () => [
  { name: 'cohorts', path: '/v1/cohorts?limit=1', token: w.tokens.chamber },
  { name: 'organisations', path: '/v1/organizations?limit=1', token: w.tokens.admin },
  { name: 'events', path: `/v1/cohorts/${cohortId}/events?limit=1`, token: w.tokens.chamber },
];

describe('list cursors', () => {
  it('a genuine cursor continues the list without repeating an item', async () => {
    for (const l of lists()) {
      const first = await ok(w, 200, 'GET', l.path, { token: l.token });
      expect(first.nextCursor, l.name).toEqual(expect.any(String));
      const second = await ok(w, 200, 'GET', `${l.path}&cursor=${first.nextCursor}`, { token: l.token });
      expect(second.items.length, l.name).toBe(1);
      expect(JSON.stringify(second.items[0]), l.name).not.toBe(JSON.stringify(first.items[0]));
    }
  });

  it('garbage, or a cursor of another query, is 400 VALIDATION_FAILED on path `cursor`', async () => {
    const first = await ok(w, 200, 'GET', '/v1/cohorts?limit=1', { token: w.tokens.chamber });
    for (const path of ['/v1/cohorts?limit=1&cursor=not-a-cursor', `/v1/cohorts?limit=1&status=submitted&cursor=${first.nextCursor}`]) {
      const p = await refused(w, 400, 'VALIDATION_FAILED', 'GET', path, { token: w.tokens.chamber });
      expect(p.errors!.map((e: { path: string }) => e.path)).toEqual(['cursor']);
    }
  });

  it('a cursor whose start key was edited is 400 VALIDATION_FAILED, never 500', async () => {
    for (const l of lists()) {
      const { nextCursor } = await ok(w, 200, 'GET', l.path, { token: l.token });
      const genuine = decode(nextCursor);
      const { SK: _sk, ...withoutSk } = genuine.k;
      // The table's own PK in a GSI's start key only breaks ties, so DynamoDB takes another value: that
      // page starts where the index keys say, inside the caller's own query.
      const edits: [Record<string, unknown>, number[]][] = [
        [{}, [400]],
        [withoutSk, [400]],
        [{ ...genuine.k, extra: 'x' }, [400]],
        [Object.fromEntries(Object.keys(genuine.k).map((key) => [key, 'zzz'])), [400]],
        [{ ...genuine.k, PK: 'ORG#someone-else' }, 'GSI1PK' in genuine.k || 'GSI3PK' in genuine.k ? [200, 400] : [400]],
      ];
      for (const [k, statuses] of edits) {
        const res = await w.h.call('GET', `${l.path}&cursor=${encode({ ...genuine, k })}`, { token: l.token });
        expect(statuses, `${l.name} with k=${JSON.stringify(k)} → ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
        if (res.status === 400) expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['cursor']);
      }
    }
  });
});

describe('Store.query and start keys', () => {
  it('maps DynamoDB’s refusal of a client’s start key to the cursor’s 400, and leaves any other start key’s refusal a server error', async () => {
    const { decodeCursor } = await import('../../shared/http/pagination.js');
    const bad = { PK: 'zzz', SK: 'zzz' };
    const query = (start: Record<string, unknown>) => w.h.store.query({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `COHORT#${cohortId}` }, ExclusiveStartKey: start });
    const fromClient = decodeCursor(encode({ k: bad, q: decode((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/events?limit=1`, { token: w.tokens.chamber })).nextCursor).q }), { cohortId, events: true })!;
    await expect(query(fromClient)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(query({ ...bad })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('the occupation catalogue', () => {
  it('lists occupations only (not their partition’s audit events), a page at a time in code order', async () => {
    const codes = [w.occupation, w.certOccupation].sort();
    const all = await ok(w, 200, 'GET', '/v1/occupations', { token: w.tokens.smeA });
    expect(all).toEqual({ items: codes.map((code) => ({ code, name: expect.any(String), skillEvaluation: expect.any(Boolean), createdAt: expect.any(String) })), nextCursor: null });
    const first = await ok(w, 200, 'GET', '/v1/occupations?limit=1', { token: w.tokens.smeA });
    const second = await ok(w, 200, 'GET', `/v1/occupations?limit=1&cursor=${first.nextCursor}`, { token: w.tokens.smeA });
    expect([...first.items, ...second.items].map((o: { code: string }) => o.code)).toEqual(codes);
    // DynamoDB cannot know a full page was the last: one more, empty page ends the list.
    if (second.nextCursor) expect(await ok(w, 200, 'GET', `/v1/occupations?limit=1&cursor=${second.nextCursor}`, { token: w.tokens.smeA })).toEqual({ items: [], nextCursor: null });
  });
});
