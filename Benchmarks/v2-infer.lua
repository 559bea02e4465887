-- wrk script for Benchmarks/v2-batching.sh and Benchmarks/product-vs-peers.sh: sends one fixed
-- request over and over (by default a POSTed V2 infer body), then prints one machine-readable
-- line:
--   RESULT <successful (2xx) requests/s> <p50 ms> <p99 ms> <errors incl. non-2xx>
-- Environment: WRK_METHOD (default POST), WRK_BODY (file with the body; none for a GET),
-- WRK_CONTENT_TYPE (default application/json), WRK_HEADER_LENGTH (sets
-- Inference-Header-Content-Length for binary bodies).
wrk.method = os.getenv("WRK_METHOD") or "POST"
local path = os.getenv("WRK_BODY")
if path and path ~= "" then
  local file = assert(io.open(path, "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"
end
local headerLength = os.getenv("WRK_HEADER_LENGTH")
if headerLength and headerLength ~= "" then
  wrk.headers["Inference-Header-Content-Length"] = headerLength
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %d\n",
    (summary.requests - e.status) / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout))
end
