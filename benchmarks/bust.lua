-- Every request a different query string: the page cache never answers (a "cold cache").
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "?bench=" .. counter)
end
