-- wrk script for the public grave search, GET /api/burials/search: cycles through a file of
-- URL-encoded names (one a line, as `wardmap_bench_burial_search fill` writes them), each wrk
-- thread starting at a different place in the list.
--
--   wrk -t2 -c4 -d20s --latency -s bench/burial_search.lua http://127.0.0.1:PORT -- NAMES_FILE

local names = {}
local position = 0
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local path = args[1]
  if path == nil then
    error("burial_search.lua: pass the names file after --")
  end
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if #line > 0 then
      names[#names + 1] = line
    end
  end
  file:close()
  if #names == 0 then
    error("burial_search.lua: no names in " .. path)
  end
  position = math.floor(#names * (thread_index or 0) / 2)
end

function request()
  position = position % #names + 1
  return wrk.format("GET", "/api/burials/search?limit=20&name=" .. names[position])
end

function done(summary, latency, requests)
  io.write(string.format("errors: %d non-2xx, %d socket\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
