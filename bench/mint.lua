-- wrk script of bench/run.sh: one of five scenarios, and a count of every answer that is not what it should be.
--
--   wrk ... -s bench/mint.lua <url> -- healthz
--   wrk ... -s bench/mint.lua <url> -- spread <authenticator file> <tag>
--                                    round-robin over every line of the file, each request with its own
--                                    X-Request-Id: <tag>-<thread>-<n> (ignored by the service)
--   wrk ... -s bench/mint.lua <url> -- hot <authenticator file>      always the first line
--   wrk ... -s bench/mint.lua <url> -- keyed <authenticator file> <tag>
--                                    as spread, the value sent as Idempotency-Key (spec §11) instead;
--                                    run.sh gives every wrk process its own tag
--   wrk ... -s bench/mint.lua <url> -- redeem <rights file>
--                                    Clear Key redemptions (spec §8): a GET of each line of the file (a rights
--                                    path with its token) in turn; good is a 200 with a key
--
-- The file holds one production authenticator (`<customerId>,<secret>`) per line. A mint is a Widevine GET with
-- the parameters of a valid request (spec §4, §5); it counts as good only when it is a 200 whose body is a
-- rights URL carrying a token. `done` prints one machine-readable line, `BENCH key=value ...`, for run.sh.

local threads = {}

function setup(thread)
    thread:set("thread_index", #threads)
    table.insert(threads, thread)
end

local function read_lines(path)
    local lines = {}
    local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
    for line in file:lines() do
        line = line:gsub("%s+$", "")
        if line ~= "" then table.insert(lines, line) end
    end
    file:close()
    assert(#lines > 0, "nothing in " .. path)
    return lines
end

local function mint_request(authenticator, n)
    -- A KID per request (hex of its number), so that tokens differ as they would in production.
    local path = string.format(
        "/hms/wv/token?customerAuthenticator=%s&kid=%032x&contentKey=00112233445566778899aabbccddeeff"
            .. "&securityLevel=1&hdcpOutputControl=0&errorFormat=json",
        authenticator, n)
    return wrk.format("GET", path)
end

local requests = {}
local paths = {}
local next_request = 1
local key_prefix = ""
local key_count = 0
local key_header = ""

function init(args)
    scenario = args[1] or "healthz"
    bad = 0           -- answers that are not a good 200 (read back by done through thread:get)
    good = 0
    sample = ""       -- the first bad answer, for the report
    if scenario == "healthz" then
        requests = { wrk.format("GET", "/healthz") }
    elseif scenario == "spread" or scenario == "keyed" then
        local lines = read_lines(args[2])
        for i, authenticator in ipairs(lines) do
            paths[i] = string.format(
                "/hms/wv/token?customerAuthenticator=%s&kid=%032x&contentKey=00112233445566778899aabbccddeeff"
                    .. "&securityLevel=1&hdcpOutputControl=0&errorFormat=json", authenticator, i)
        end
        -- The threads start at different places in the round so they do not walk the same customers in step.
        next_request = (thread_index * math.floor(#paths / 2)) % #paths + 1
        -- Unique across wrk processes (the tag, even two started in the same second) and their threads.
        key_prefix = string.format("%s-%d-", assert(args[3], scenario .. " needs a tag"), thread_index)
        -- Both carry a unique value made the same way, so that wrk's work (on the same cores as the service) and the
        -- bytes sent are the same and keyed against unkeyed is what the key costs the service: spread names it
        -- X-Request-Id, which the service ignores.
        key_header = scenario == "keyed" and "Idempotency-Key" or "X-Request-Id"
    elseif scenario == "redeem" then
        for i, path in ipairs(read_lines(args[2])) do requests[i] = wrk.format("GET", path) end
        next_request = (thread_index * math.floor(#requests / 2)) % #requests + 1
    elseif scenario == "hot" then
        local first = read_lines(args[2])[1]
        for i = 1, 64 do requests[i] = mint_request(first, i) end
    else
        error("unknown scenario " .. tostring(scenario))
    end
end

function request()
    if scenario == "spread" or scenario == "keyed" then
        local path = paths[next_request]
        next_request = next_request % #paths + 1
        key_count = key_count + 1
        return wrk.format("GET", path, { [key_header] = key_prefix .. key_count })
    end
    local r = requests[next_request]
    next_request = next_request % #requests + 1
    return r
end

function response(status, headers, body)
    local ok
    if scenario == "healthz" then
        ok = status == 200
    elseif scenario == "redeem" then
        ok = status == 200 and body ~= nil and body:find('"keys":[{', 1, true) ~= nil
    else
        ok = status == 200 and body ~= nil and body:find("ExpressPlayToken=", 1, true) ~= nil
    end
    if ok then
        good = good + 1
    else
        bad = bad + 1
        if sample == "" then
            sample = tostring(status) .. " " .. tostring(body):sub(1, 160):gsub("[%c\"]", " ")
        end
    end
end

function done(summary, latency, requests_)
    local total_bad, total_good, first_sample = 0, 0, ""
    for _, thread in ipairs(threads) do
        total_bad = total_bad + (tonumber(thread:get("bad")) or 0)
        total_good = total_good + (tonumber(thread:get("good")) or 0)
        local s = thread:get("sample")
        if first_sample == "" and s and s ~= "" then first_sample = s end
    end
    local errors = summary.errors
    local seconds = summary.duration / 1e6
    io.write(string.format(
        "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
            .. "good=%d bad=%d non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d sample=\"%s\"\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000,
        total_good, total_bad, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
        first_sample))
end
