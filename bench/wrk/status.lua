-- wrk script for `make bench` (bench/run.py): count every response by status and
-- print one machine-readable line, so that an error page served fast is never
-- mistaken for a fast page.
--
-- Arguments after `--`, each key=value:
--   expect=200,302  statuses that count as success (default 200); others are "bad"
-- Output: BENCH {"requests": ..., "rps": ..., "p50_ms": ..., "p99_ms": ...,
--                "statuses": {"200": n, ...}, "bad": n, "sock_errors": n}

-- Globals, so that done() (run in wrk's main state) can read them from each thread.
counts = {}     -- status -> responses
bad = 0         -- responses whose status is not expected
local expected = {}

function parse_args(args)
  local options = {}
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if key then options[key] = value end
  end
  for status in (options.expect or "200"):gmatch("%d+") do
    expected[tonumber(status)] = true
  end
  return options
end

function init(args) parse_args(args) end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if not expected[status] then bad = bad + 1 end
end

local threads = {}

function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local all, total_bad, parts = {}, 0, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts") or {}) do
      all[status] = (all[status] or 0) + n
    end
    total_bad = total_bad + (thread:get("bad") or 0)
  end
  for status, n in pairs(all) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "rps": %.2f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "statuses": {%s}, "bad": %d, "sock_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, table.concat(parts, ", "), total_bad,
    e.connect + e.read + e.write + e.timeout, e.timeout))
end
