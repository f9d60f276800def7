import 'server-only';

/**
 * The Lua scripts of the Redis run store (redis-store.ts), each one atomic on one Redis Cluster
 * slot: a run's own keys, or the index's. Kept apart from the store's logic; what each takes in
 * KEYS and ARGV is said above it.
 */

/** Redis's clock in ms, so that instances' clocks need not agree. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// The index keys (KEYS[1..6]): held runs scored by expiry, finished runs scored by finish time,
// run -> client, client -> running count, run -> bytes (finished runs), total bytes.
const DROP = `
local function drop(id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  local c = redis.call('HGET', KEYS[3], id)
  if c then
    redis.call('HDEL', KEYS[3], id)
    if redis.call('HINCRBY', KEYS[4], c, -1) <= 0 then redis.call('HDEL', KEYS[4], c) end
  end
  local b = redis.call('HGET', KEYS[5], id)
  if b then
    redis.call('HDEL', KEYS[5], id)
    redis.call('DECRBY', KEYS[6], b)
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do drop(id) end`;

// ARGV: id, client ('' for none), ttlMs, maxRunningPerClient, maxRuns, maxBytes.
export const CREATE = `${NOW}${DROP}
if ARGV[2] ~= '' and tonumber(redis.call('HGET', KEYS[4], ARGV[2]) or '0') >= tonumber(ARGV[4]) then return {'client_busy'} end
local result = {'created'}
local function evict()
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #oldest == 0 then return false end
  drop(oldest[1])
  table.insert(result, oldest[1])
  return true
end
while redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5]) do
  if not evict() then result[1] = 'full' return result end
end
while tonumber(redis.call('GET', KEYS[6]) or '0') >= tonumber(ARGV[6]) do
  if not evict() then break end
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
  redis.call('HINCRBY', KEYS[4], ARGV[2], 1)
end
return result`;

// ARGV: id, ttlMs ('' for none). Moves a held run's expiry, if it is still held.
export const INDEX_TTL = `${NOW}
local score = '+inf'
if ARGV[2] ~= '' then score = now + tonumber(ARGV[2]) end
redis.call('ZADD', KEYS[1], 'XX', score, ARGV[1])
return 1`;

// ARGV: id, ttlMs, bytes. The run is finished: kept `ttlMs`, no longer running for its client.
export const INDEX_FINISH = `${NOW}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
local c = redis.call('HGET', KEYS[3], ARGV[1])
if c then
  redis.call('HDEL', KEYS[3], ARGV[1])
  if redis.call('HINCRBY', KEYS[4], c, -1) <= 0 then redis.call('HDEL', KEYS[4], c) end
end
redis.call('HSET', KEYS[5], ARGV[1], ARGV[3])
redis.call('INCRBY', KEYS[6], ARGV[3])
return 1`;

// ARGV: ids to forget (evicted).
export const INDEX_USAGE = `${NOW}${DROP}
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), tonumber(redis.call('GET', KEYS[6]) or '0')}`;

// A run's keys (KEYS[1..3]): meta hash, log list, producer lease. The log follows the meta's TTL.
const SAME_TTL = `
local function sameTtl()
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) else redis.call('PERSIST', KEYS[2]) end
end`;

// ARGV: token, expected length, leaseMs, channel, bytes added, events... Refuses (-1) when the run
// is not running, (-2) when another instance holds its lease or wrote past us (a takeover).
export const FLUSH = `${SAME_TTL}
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return -1 end
local holder = redis.call('GET', KEYS[3])
if holder and holder ~= ARGV[1] then return -2 end
if tonumber(redis.call('HGET', KEYS[1], 'length')) ~= tonumber(ARGV[2]) then return -2 end
for i = 6, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
local length = redis.call('HINCRBY', KEYS[1], 'length', #ARGV - 5)
redis.call('HINCRBY', KEYS[1], 'bytes', ARGV[5])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
sameTtl()
redis.call('PUBLISH', ARGV[4], length)
return length`;

// ARGV: token, ttlMs, abandonedTtlMs, channel. Returns {ttl, bytes}, or -1/-2 as FLUSH.
export const FINISH = `${SAME_TTL}
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return -1 end
local holder = redis.call('GET', KEYS[3])
if holder and holder ~= ARGV[1] then return -2 end
redis.call('HSET', KEYS[1], 'state', 'finished')
local ttl = ARGV[3]
if tonumber(redis.call('HGET', KEYS[1], 'readers') or '0') > 0 or redis.call('HGET', KEYS[1], 'claimed') == '1' then ttl = ARGV[2] end
redis.call('PEXPIRE', KEYS[1], ttl)
sameTtl()
redis.call('DEL', KEYS[3])
redis.call('PUBLISH', ARGV[4], 'finished')
return {tonumber(ttl), tonumber(redis.call('HGET', KEYS[1], 'bytes'))}`;

// ARGV: delta, idleTtlMs, attachedTtlMs. Returns {readers, ttl set ('' for none)}.
export const ATTACH = `${SAME_TTL}
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
local readers = redis.call('HINCRBY', KEYS[1], 'readers', ARGV[1])
if readers < 0 then redis.call('HSET', KEYS[1], 'readers', 0) readers = 0 end
local ttl = ''
if redis.call('HGET', KEYS[1], 'state') == 'running' then
  if tonumber(ARGV[1]) > 0 then ttl = ARGV[3] elseif readers == 0 then ttl = ARGV[2] end
  if ttl ~= '' then
    redis.call('PEXPIRE', KEYS[1], ttl)
    sameTtl()
  end
end
return {readers, ttl}`;

// ARGV: ttlMs. Returns the TTL set, or '' when none was.
export const CLAIM = `${SAME_TTL}
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'claimed') == '1' then return '' end
redis.call('HSET', KEYS[1], 'claimed', '1')
if redis.call('HGET', KEYS[1], 'state') ~= 'finished' then return '' end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
sameTtl()
return ARGV[1]`;

// ARGV: ttlMs ('' to keep).
export const EXPIRE = `${SAME_TTL}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
sameTtl()
return 1`;

// ARGV: channel.
export const CANCEL = `
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'cancelled', '1')
redis.call('PUBLISH', ARGV[1], 'cancelled')
return 1`;

// ARGV: token, leaseMs, attachedTtlMs. The producer's renewal: 'ok', 'cancelled', or 'gone' (expired,
// finished or taken over elsewhere).
export const RENEW = `${SAME_TTL}
local run = redis.call('HMGET', KEYS[1], 'state', 'cancelled', 'readers')
if run[1] ~= 'running' then return 'gone' end
local holder = redis.call('GET', KEYS[3])
if holder and holder ~= ARGV[1] then return 'gone' end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
if tonumber(run[3] or '0') > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  sameTtl()
end
if run[2] == '1' then return 'cancelled' end
return 'ok'`;

// ARGV: token, leaseMs. A reader's check of a run it waits on: when it is running with no lease
// (its producer died), claims the lease atomically and returns {'taken', length, bytes, cancelled, input};
// else {state or 'gone', length}.
export const ORPHAN = `
local run = redis.call('HMGET', KEYS[1], 'state', 'length', 'bytes', 'cancelled', 'input')
if not run[1] then return {'gone', '0'} end
if run[1] == 'running' and redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {'taken', run[2], run[3], run[4], run[5]}
end
return {run[1], run[2]}`;
