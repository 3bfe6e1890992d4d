-- wrk script: POST the JSON body in $DRAWING ({"image": base64 PNG, "label": n}) to
-- /api/digits, each request with an Idempotency-Key of its own; prints the RESULT line.
local file = assert(io.open(os.getenv("DRAWING"), "rb"))
local body = file:read("*a")
file:close()
local counter = 0
request = function()
    counter = counter + 1
    return wrk.format("POST", nil, {
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = string.format("load-%d-%d-%d", os.time(), math.random(1e9), counter),
    }, body)
end

dofile("scripts/load/result.lua")
