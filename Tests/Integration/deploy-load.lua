-- Steady load for the deploy tests, through nginx: GET /recommend for guests the model knows, each
-- request on a new connection (Connection: close). A keep-alive client loses nothing when nginx reloads
-- either, but wrk counts every idle connection nginx closes on a reload as a read error, so on fresh
-- connections every error wrk reports is a request that really failed.
--
-- Arguments (after --): GUEST_IDS_FILE PAUSE_MS TOKEN_FILE (the API key, sent as Authorization: Bearer).
-- Prints one line at the end:
--   RESULT answers=N non2xx=N connect=N read=N write=N timeout=N models=MODEL:N,... last=MODEL,...

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    guests = {}
    for line in io.lines(args[1]) do
        guests[#guests + 1] = line
    end
    pause_ms = tonumber(args[2])
    local token_file = io.open(args[3])
    authorization = "Bearer " .. token_file:read("*l")
    token_file:close()
    sent, answers, non2xx, last_model = 0, 0, 0, "none"
    models = {}
end

function request()
    sent = sent + 1
    local guest = guests[sent % #guests + 1]
    return wrk.format("GET", "/recommend?k=10&user=" .. guest, { ["Connection"] = "close", ["Authorization"] = authorization })
end

function delay()
    return pause_ms
end

function response(status, headers, body)
    answers = answers + 1
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    end
    last_model = headers["X-Concierge-Model"] or "none"
    models[last_model] = (models[last_model] or 0) + 1
end

function done(summary, latency, requests)
    local answered, failed, per_model, last = 0, 0, {}, {}
    for _, thread in ipairs(threads) do
        answered = answered + thread:get("answers")
        failed = failed + thread:get("non2xx")
        for model, count in pairs(thread:get("models")) do
            per_model[model] = (per_model[model] or 0) + count
        end
        table.insert(last, thread:get("last_model"))
    end
    local names = {}
    for model in pairs(per_model) do
        table.insert(names, model)
    end
    table.sort(names)
    local counts = {}
    for _, model in ipairs(names) do
        table.insert(counts, model .. ":" .. per_model[model])
    end
    local errors = summary.errors
    io.write(string.format("RESULT answers=%d non2xx=%d connect=%d read=%d write=%d timeout=%d models=%s last=%s p99_ms=%.2f\n",
        answered, failed, errors.connect, errors.read, errors.write, errors.timeout,
        table.concat(counts, ","), table.concat(last, ","), latency:percentile(99) / 1000))
end
