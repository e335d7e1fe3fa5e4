# Dates as UN documents write them in Arabic: 26 أيلول/سبتمبر 2019 (the month names come from the
# register's catalogue, alliance/formats/months.py).
DATE_FORMAT = "j F Y"
