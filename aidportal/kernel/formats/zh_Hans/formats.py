"""zh_Hans formats with input formats that parse.

Django's own list carries "%Y年%n月%j日", which strptime cannot read. The first
date format is the one the admin calendar writes, so it is ISO. strptime's %m
and %d accept one or two digits, so "2021/7/1" parses too.
"""

from django.conf.locale.zh_Hans.formats import (  # noqa: F401
    DATE_FORMAT,
    DATETIME_FORMAT,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    THOUSAND_SEPARATOR,
    TIME_FORMAT,
    TIME_INPUT_FORMATS,
    YEAR_MONTH_FORMAT,
)

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2021-07-01
    "%Y/%m/%d",  # 2021/7/1
    "%Y.%m.%d",  # 2021.7.1
    "%Y年%m月%d日",  # 2021年7月1日
]

DATETIME_INPUT_FORMATS = [
    f"{date} {time}"
    for date in DATE_INPUT_FORMATS
    for time in ("%H:%M:%S", "%H:%M:%S.%f", "%H:%M")
] + DATE_INPUT_FORMATS
