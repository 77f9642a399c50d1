"""English dates that no reader misreads: "2 Dec 2026" on pages, ISO in date inputs.

Django's English formats are American (12/02/2026), which a Nordic reader takes for
12 February. Finnish and Swedish keep Django's own formats; anything not set here
(numbers, first day of the week…) falls back to Django's English.
"""

DATE_FORMAT = "j M Y"  # 2 Dec 2026
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "Y-m-d"  # what date inputs show and accept back
SHORT_DATETIME_FORMAT = "j M Y H:i"  # 2 Dec 2026 14:05
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d %b %Y %H:%M",
]
