/**
 * ULIDs for entities, audit events and request ids. ulid's default source asks WebCrypto for one
 * byte per character (16 calls per id, about 50 µs per request here); this source draws the same
 * cryptographic bytes from a 4 KB pool refilled in one call, so ids stay unpredictable and cheap.
 */
import { randomFillSync } from 'node:crypto';
import { monotonicFactory, ulid, type PRNG } from 'ulid';

const pool = new Uint8Array(4096);
let next = pool.length;

/** A uniform number in [0, 1) from the pooled CSPRNG bytes (the contract of ulid's PRNG). */
export const pooledRandom: PRNG = () => {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 256;
};

const monotonic = monotonicFactory(pooledRandom);

/** Monotonic within the process: ids minted in one request sort in the order they were made. */
export const newId = (at?: Date) => monotonic(at?.getTime());

/** A request id (not monotonic: concurrent requests need no order). */
export const newRequestId = () => ulid(undefined, pooledRandom);
