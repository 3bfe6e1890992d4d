-- wrk script: GET the path wrk was given; prints the RESULT line guess.lua prints.
dofile("scripts/load/result.lua")
