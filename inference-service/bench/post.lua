-- wrk script: POST the file named by BODY_FILE with the Content-Type in CONTENT_TYPE.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE")

done = function(summary, latency, requests)
  io.write(string.format("  wrk: %d requests, %d non-2xx/3xx, %d socket errors, %.0f req/s\n",
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6)))
end
