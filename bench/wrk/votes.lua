-- wrk script for the `votes` case of `make bench` (bench/run.py): every request is
-- a vote by the next fan in rotation, as a browser without JavaScript sends it.
--
-- Arguments after `--`: ballots=FILE csrf=TOKEN expect=302, and the cookies' names
-- if not Django's defaults: csrf_cookie=csrftoken session_cookie=sessionid.
-- FILE has one fan a line, "<session key> <justified|overblown>": the verdict
-- that fan sends first, the opposite of the one they hold, so each pass over the
-- fans changes every vote and the next pass changes it back. For CSRF, the same
-- value in the cookie csrftoken=TOKEN and the field csrfmiddlewaretoken (32 hex
-- characters: a bare secret, which Django accepts), plus a Referer, as the side
-- load (bench/fixtures.py `voters`) sends them. The view answers 302 (back to
-- the concern) when the vote counts.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "status.lua")

local fans, token, csrf_cookie, session_cookie, sent_votes = {}, nil, nil, nil, 0
local other = { justified = "overblown", overblown = "justified" }

function init(args)
  local options = parse_args(args)
  token = options.csrf
  csrf_cookie = options.csrf_cookie or "csrftoken"
  session_cookie = options.session_cookie or "sessionid"
  assert(token and #token == 32, "votes.lua: csrf=<32 hex characters> is required")
  assert(options.ballots, "votes.lua: ballots=FILE is required")
  for line in io.lines(options.ballots) do
    local key, verdict = line:match("^(%S+)%s+(%a+)$")
    if key then table.insert(fans, { key = key, first = verdict }) end
  end
  assert(#fans > 0, "votes.lua: no fans in " .. options.ballots)
end

function request()
  local fan = fans[sent_votes % #fans + 1]
  local pass = math.floor(sent_votes / #fans)
  sent_votes = sent_votes + 1
  local verdict = pass % 2 == 0 and fan.first or other[fan.first]
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = csrf_cookie .. "=" .. token .. "; " .. session_cookie .. "=" .. fan.key,
    ["Referer"] = "http://" .. wrk.headers["Host"] .. "/",
  }
  local body = "csrfmiddlewaretoken=" .. token .. "&verdict=" .. verdict
  return wrk.format("POST", nil, headers, body)
end
