-- wrk script for bench/crews.sh: POST /api/visits/{id}/completions with a staff API key, each
-- request a new record (its own client_id: thread, run and counter), cycling through the
-- visit ids FIRST..LAST. Counts the 201s (each committed and fsynced before the answer with
-- `serve --durability full`) and every other status.
--
--   wrk -t2 -c4 -d10s --latency -s bench/crews_complete.lua http://127.0.0.1:PORT \
--       -- FIRST_VISIT LAST_VISIT API_KEY RUN

local thread_count = 0
local threads = {}
local first, last, key, run
local counter = 0
created = 0
other = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  threads[#threads + 1] = thread
end

function init(args)
  first = tonumber(args[1])
  last = tonumber(args[2])
  key = args[3]
  run = args[4] or "1"
  if first == nil or last == nil or key == nil then
    error("crews_complete.lua: pass FIRST_VISIT LAST_VISIT API_KEY [RUN] after --")
  end
end

function request()
  counter = counter + 1
  local visit = first + (counter * 7 + (thread_index or 0)) % (last - first + 1)
  local body = string.format(
    '{"client_id":"bench-%s-%d-%d","outcome":"done","at":"%s",' ..
    '"quantities":{"bins_emptied":1,"fill_percent":60}}',
    run, thread_index or 0, counter, os.date("!%Y-%m-%dT%H:%M:%SZ"))
  return wrk.format("POST", "/api/visits/" .. visit .. "/completions",
    {["Content-Type"] = "application/json", ["X-Api-Key"] = key}, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, thread in ipairs(threads) do
    c = c + (thread:get("created") or 0)
    o = o + (thread:get("other") or 0)
  end
  io.write(string.format("completions created: %d\ncompletions other statuses: %d\n", c, o))
end
