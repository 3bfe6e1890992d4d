-- wrk script: POST the drawing in $DRAWING as image/png to /api/guess; prints the RESULT line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/png"
local file = assert(io.open(os.getenv("DRAWING"), "rb"))
wrk.body = file:read("*a")
file:close()

dofile("scripts/load/result.lua")
