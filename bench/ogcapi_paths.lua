-- wrk script for every bench that replays GETs (ogcapi, open311, tiles, my_area, llpg_import,
-- burial_search): cycles through a file of request paths (one a line, e.g.
-- /ogc/collections/addresses/items?limit=100&bbox=...), each wrk thread starting at a
-- different place in the list, so every server gets exactly the same mix of requests.
--
--   wrk -t2 -c16 -d10s --latency -s bench/ogcapi_paths.lua http://127.0.0.1:PORT -- PATHS_FILE

local paths = {}
local position = 0
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local file_name = args[1]
  if file_name == nil then
    error("ogcapi_paths.lua: pass the paths file after --")
  end
  local file = assert(io.open(file_name, "r"))
  for line in file:lines() do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  file:close()
  if #paths == 0 then
    error("ogcapi_paths.lua: no paths in " .. file_name)
  end
  position = math.floor(#paths * (thread_index or 0) / 2)
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end
