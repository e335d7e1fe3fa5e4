-- Every request asks for the register as at today, with a new query string each time: such a page
-- is rendered whole from the database (nothing of it is cached), as after a change of the register.
counter = 0
today = os.date("%Y-%m-%d")
request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "?as_of=" .. today .. "&bench=" .. counter)
end
