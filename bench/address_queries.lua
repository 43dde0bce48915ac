-- wrk script for GET /api/addresses: cycles through a file of URL-encoded type-ahead queries
-- (one a line, as wardmap_bench_gen_llpg --queries-out writes them), each wrk thread starting
-- at a different place in the list.
--
--   wrk -t2 -c16 -d20s --latency -s bench/address_queries.lua http://127.0.0.1:PORT \
--       -- QUERIES_FILE [LIMIT]

local queries = {}
local limit = "10"
local position = 0
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local path = args[1]
  if path == nil then
    error("address_queries.lua: pass the queries file after --")
  end
  if args[2] ~= nil then
    limit = args[2]
  end
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if #line > 0 then
      queries[#queries + 1] = line
    end
  end
  file:close()
  if #queries == 0 then
    error("address_queries.lua: no queries in " .. path)
  end
  -- Spread the threads over the list so they do not ask the same thing at the same moment.
  position = math.floor(#queries * (thread_index or 0) / 2)
end

function request()
  position = position % #queries + 1
  return wrk.format("GET", "/api/addresses?q=" .. queries[position] .. "&limit=" .. limit)
end
