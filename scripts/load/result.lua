-- The RESULT line every load script prints at the end: requests, requests/s, p50, p90, p99,
-- max (ms), non-2xx, socket errors.
done = function(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        "RESULT %d %.0f %.3f %.3f %.3f %.3f %d %d\n",
        summary.requests, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
        errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
