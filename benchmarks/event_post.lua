-- wrk script for event_post.py: POSTs single events with ids unique to this run.
-- Arguments (after --): run prefix, event type, bearer key ("-" for none).
local counter = 0
local threads = 0
local prefix, event_type, headers

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  prefix = args[1] .. "-" .. tid
  event_type = args[2]
  headers = { ["Content-Type"] = "application/json" }
  if args[3] ~= "-" then
    headers["Authorization"] = "Bearer " .. args[3]
  end
end

function request()
  counter = counter + 1
  local id = prefix .. "-" .. counter
  local body = string.format(
    '{"event_id": "%s", "type": "%s", "properties": {"channel": "web"}, '
      .. '"customer": {"external_id": "%s", "email": "%s@example.com", '
      .. '"name": "Customer %s", "language": "fi", "attributes": {"tier": "gold"}}}',
    id, event_type, id, id, counter)
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests,
    summary.duration, bad, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end

local shown = false
function response(status, headers, body)
  if status >= 300 and not shown then
    shown = true
    io.stderr:write("HTTP " .. status .. ": " .. body .. "\n")
  end
end
