-- Every request with a query string: the page cache neither answers nor stores such requests, so
-- each one renders the page from the database (a "cold cache").
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "?bench=" .. counter)
end
