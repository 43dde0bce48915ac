-- wrk script for bench/open311.sh: POST /open311/v2/requests.json, form-encoded as
-- FixMyStreet's Open311 client sends it, cycling through a file of prepared bodies (one a line,
-- already URL-encoded: api_key, service_code, lat, long, description, email, attribute[...]).
-- Each thread counts the status codes it saw and, with an ids file prefix, appends the
-- service_request_id of every 2xx answer to PREFIX.<thread> as it arrives: the list of
-- acknowledged requests that bench/open311.sh looks for in the store after a kill -9.
--
--   wrk -t2 -c4 -d10s --latency -s bench/open311_create.lua http://127.0.0.1:PORT \
--       -- BODIES_FILE [IDS_PREFIX]

local bodies = {}
local position = 0
local thread_count = 0
local threads = {}
local ids_file = nil
ok_count = 0     -- 2xx answers with a service_request_id (read by done() through thread:get)
other_count = 0  -- every other answer
missing_id = 0   -- 2xx answers without a service_request_id in the body

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  threads[#threads + 1] = thread
end

function init(args)
  local file_name = args[1]
  if file_name == nil then
    error("open311_create.lua: pass the bodies file after --")
  end
  local file = assert(io.open(file_name, "r"))
  for line in file:lines() do
    if #line > 0 then
      bodies[#bodies + 1] = line
    end
  end
  file:close()
  if #bodies == 0 then
    error("open311_create.lua: no bodies in " .. file_name)
  end
  position = math.floor(#bodies * (thread_index or 0) / 2)
  if args[2] ~= nil then
    ids_file = assert(io.open(args[2] .. "." .. tostring(thread_index or 0), "w"))
    -- One write per acknowledged id: the file is complete up to the moment the server died.
    ids_file:setvbuf("line")
  end
end

function request()
  position = position % #bodies + 1
  return wrk.format("POST", "/open311/v2/requests.json",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, bodies[position])
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    local id = body and string.match(body, '"service_request_id":"(%d+)"')
    if id then
      ok_count = ok_count + 1
      if ids_file then
        ids_file:write(id, "\n")
      end
    else
      missing_id = missing_id + 1
    end
  else
    other_count = other_count + 1
  end
end

function done(summary, latency, requests)
  local ok, other, missing = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + (thread:get("ok_count") or 0)
    other = other + (thread:get("other_count") or 0)
    missing = missing + (thread:get("missing_id") or 0)
  end
  io.write(string.format("open311 created: %d\nopen311 other statuses: %d\nopen311 2xx without id: %d\n",
    ok, other, missing))
end
