-- lua-test.lua - our checks of lua5.4 booted as a uni image (test/apps/
-- make_projects.cmake, test lua5.4_script): strings, tables, coroutines,
-- io, os and errors. Every check compares a result with the value Lua on
-- Linux gives; a mismatch is printed as "FAIL: ..." and the script exits 1.
-- The last line, "lua-test: N checks passed", is what the test matches.

local checks, failed = 0, 0
local function eq(what, got, want)
  checks = checks + 1
  if got ~= want then
    failed = failed + 1
    print(string.format("FAIL: %s: got %q, want %q", what, tostring(got), tostring(want)))
  end
end

-- strings
eq("format", string.format("%5.2f|%-4d|%x|%s|%q", 3.14159, 42, 255, "s", "a\nb"),
   " 3.14|42  |ff|s|\"a\\\nb\"")
eq("format %g", string.format("%g %g", 1e20, 0.1), "1e+20 0.1")
eq("find plain", string.find("a.b.c", ".", 1, true), 2)
eq("match captures", table.concat({string.match("key = value", "(%w+)%s*=%s*(%w+)")}, ","), "key,value")
local words = {}
for w in string.gmatch("one two  three", "%a+") do words[#words + 1] = w end
eq("gmatch", table.concat(words, "|"), "one|two|three")
local s, n = string.gsub("hello world", "o", "0")
eq("gsub", s .. n, "hell0 w0rld2")
eq("gsub function", (string.gsub("$a + $b", "%$(%w+)", {a = "1", b = "2"})), "1 + 2")
eq("gsub %b", (string.gsub("f(a(b)c) g(d)", "%b()", "")), "f g")
eq("rep/sub/upper", string.rep("ab", 3, "-"):sub(2, -2):upper(), "B-AB-A")
eq("byte/char", string.char(string.byte("Lua", 1, 3)), "Lua")
eq("pack/unpack", select(2, string.unpack("<i4", string.pack("<i4i4", 7, -9), 5)), 9)
eq("utf8", utf8.len("héllo") .. utf8.char(0x263A), "5☺")
eq("tostring int/float", tostring(10 // 3) .. " " .. tostring(10 / 4), "3 2.5")
eq("integer overflow wraps", math.maxinteger + 1 == math.mininteger, true)
eq("tonumber base", tonumber("ff", 16) + tonumber("0x10"), 271)

-- tables
local t = {5, 2, 8, 1, 9, 3}
table.sort(t)
eq("sort", table.concat(t, ","), "1,2,3,5,8,9")
table.sort(t, function(a, b) return a > b end)
eq("sort desc", table.concat(t, ","), "9,8,5,3,2,1")
table.insert(t, 1, 0); table.remove(t)
eq("insert/remove", table.concat(t, " ", 1, 3), "0 9 8")
eq("unpack/move", select("#", table.unpack(table.move({1, 2, 3}, 1, 3, 2, {}), 1, 4)), 4)
local mt = {__index = function(_, k) return k * 2 end,
            __add = function(a, b) return a.v + b.v end,
            __tostring = function(o) return "obj" .. o.v end,
            __len = function() return 99 end,
            __call = function(self, x) return self.v + x end}
local a = setmetatable({v = 3}, mt)
local b = setmetatable({v = 4}, mt)
eq("__index", a[21], 42)
eq("__add", a + b, 7)
eq("__tostring", tostring(a), "obj3")
eq("__len", #a, 99)
eq("__call", a(10), 13)
local weak = setmetatable({}, {__mode = "k"})
weak[{}] = true
collectgarbage(); collectgarbage()
eq("weak keys collected", next(weak), nil)
local keys = {}
for k in pairs({x = 1, y = 2, z = 3}) do keys[#keys + 1] = k end
table.sort(keys)
eq("pairs", table.concat(keys), "xyz")

-- coroutines
local gen = coroutine.wrap(function(n)
  for i = 1, n do coroutine.yield(i * i) end
  return "done"
end)
eq("wrap", table.concat({gen(3), gen(), gen(), gen()}, ","), "1,4,9,done")
local co = coroutine.create(function(x)
  local y = coroutine.yield(x + 1)
  error("boom " .. y)
end)
eq("status new", coroutine.status(co), "suspended")
local ok, v = coroutine.resume(co, 1)
eq("resume yields", tostring(ok) .. v, "true2")
ok, v = coroutine.resume(co, "x")
eq("error in coroutine", tostring(ok) .. " " .. tostring(v):match("boom x"), "false boom x")
eq("status dead", coroutine.status(co), "dead")
eq("isyieldable main", coroutine.isyieldable(), false)
eq("running main", select(2, coroutine.running()), true)

-- io
local path = os.tmpname()
local f = assert(io.open(path, "w"))
f:write("line one\n", 2, "\n", 3.5, "\nlast")
f:close()
local lines = {}
for l in io.lines(path) do lines[#lines + 1] = l end
eq("io.lines", table.concat(lines, "|"), "line one|2|3.5|last")
f = assert(io.open(path, "r"))
eq("read n", f:read("n"), nil) -- "line" is not a number
eq("seek set", f:seek("set", 9), 9)
eq("read number", f:read("n"), 2)
eq("seek end", f:seek("end"), 19)
f:seek("set", 0)
eq("read all", #f:read("a"), 19)
eq("read at eof", f:read("l"), nil)
f:close()
f = assert(io.open(path, "a+"))
f:write("\nappended")
f:seek("set", 0)
eq("append", select(2, f:read("a"):gsub("\n", "")), 4)
f:close()
eq("io.type", io.type(f), "closed file")
local nf, msg = io.open("/tmp/no/such/file")
eq("open missing", nf == nil and msg:find("No such file") ~= nil, true)
io.write("io.write to stdout works\n")

-- os
local now = os.time()
eq("os.time sane", now > 1600000000, true)
eq("os.time table", os.time({year = 2020, month = 1, day = 1, hour = 12}) - os.time({year = 2020, month = 1, day = 1, hour = 0}), 43200)
eq("os.date utc", os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365), "1971-01-01 00:00:00")
eq("os.date *t", os.date("!*t", 0).year, 1970)
local c0 = os.clock()
local x = 0
for i = 1, 200000 do x = x + i end
eq("os.clock advances", os.clock() >= c0, true)
eq("os.getenv", os.getenv("LUA_TEST_VAR"), "uni")
eq("os.getenv missing", os.getenv("NO_SUCH_VAR_HERE"), nil)
local moved = path .. ".moved"
eq("os.rename", os.rename(path, moved), true)
eq("renamed away", io.open(path), nil)
eq("os.remove", os.remove(moved), true)
local r, e = os.remove(moved)
eq("remove missing", r == nil and e:find("No such file") ~= nil, true)
eq("tmpname in /tmp", os.tmpname():sub(1, 5), "/tmp/")
eq("difftime", os.difftime(now + 5, now), 5.0)

-- errors
ok, v = pcall(error, {code = 7})
eq("pcall table error", ok == false and v.code, 7)
ok, v = pcall(function() local z = nil; return z.field end)
eq("pcall index nil", ok == false and v:find("attempt to index") ~= nil, true)
eq("xpcall handler", select(2, xpcall(function() error("deep", 0) end, function(m) return "handled " .. m end)), "handled deep")
ok, v = pcall(error)
eq("error nil", ok == false and v == nil, true)
eq("error level", select(2, pcall(function() error("lvl", 2) end)):find("lvl") ~= nil, true)
ok, v = pcall(string.rep)
eq("bad argument", v:find("bad argument #1 to 'string.rep'") ~= nil, true)
eq("load", load("return 6 * 7")(), 42)
eq("load syntax error", select(2, load("return +")):find("unexpected symbol") ~= nil, true)

if failed > 0 then
  print(string.format("lua-test: %d of %d checks FAILED", failed, checks))
  os.exit(1)
end
print(string.format("lua-test: %d checks passed", checks))
