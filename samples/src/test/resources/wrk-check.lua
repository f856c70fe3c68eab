-- wrk script: counts responses whose body is not the samples' pattern (io.modtcp.samples.Payload) of the size
-- given as the script's first argument, and prints the totals of all threads at the end:
--   wrk-check good=G wrong=W non2xx=N requests=R connect=C read=D write=E status=S timeout=T
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(args[1])
  local t = {}
  for i = 0, n - 1 do
    t[#t + 1] = string.char((i % 251 + 7 * (math.floor(i / 251) % 256)) % 256)
  end
  expected = table.concat(t)
  good, wrong, non2xx = 0, 0, 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  elseif body ~= expected then
    wrong = wrong + 1
  else
    good = good + 1
  end
end

function done(summary, latency, requests)
  local g, w, n = 0, 0, 0
  for _, thread in ipairs(threads) do
    g = g + thread:get("good")
    w = w + thread:get("wrong")
    n = n + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format("wrk-check good=%d wrong=%d non2xx=%d requests=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    g, w, n, summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
end
