"""A clock that counts working time, so the demo's people work office hours.

A moment is a float of working days since an origin Monday: the whole part
picks the working day (Monday to Friday), the fraction the time between 08:00
and 18:00 UTC. The mapping only moves forward, so moments in order stay in
order as datetimes.
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

MINUTE = 1 / 600  # of a ten-hour working day
HOUR = 60 * MINUTE
YEAR = 260  # working days
Action = Callable[[float], object]  # something that happens at a working moment

DAY_STARTS = dt.timedelta(hours=8)
DAY_LENGTH = dt.timedelta(hours=10)


@dataclass(frozen=True)
class WorkClock:
    origin: dt.datetime  # a Monday at 00:00 UTC

    @classmethod
    def ending_at(cls, now: dt.datetime, working_days: int) -> "WorkClock":
        """A clock whose origin lies at least `working_days` before now."""
        now = now.astimezone(dt.UTC)
        weeks_back = math.ceil(working_days / 5) + 1
        monday = (now - dt.timedelta(days=now.weekday() + 7 * weeks_back)).date()
        return cls(dt.datetime.combine(monday, dt.time(), tzinfo=dt.UTC))

    def at(self, moment: float) -> dt.datetime:
        day = math.floor(moment)
        weeks, weekday = divmod(day, 5)
        date_offset = dt.timedelta(days=weeks * 7 + weekday)
        return self.origin + date_offset + DAY_STARTS + DAY_LENGTH * (moment - day)

    def moment(self, when: dt.datetime) -> float:
        """The first moment not before `when`: every smaller moment maps to a
        datetime at or before it."""
        elapsed = when.astimezone(dt.UTC) - self.origin
        weeks, weekday = divmod(elapsed.days, 7)
        day = weeks * 5 + min(weekday, 5)
        if weekday >= 5:
            return float(day)
        into_day = dt.timedelta(seconds=elapsed.seconds, microseconds=elapsed.microseconds)
        fraction = (into_day - DAY_STARTS) / DAY_LENGTH
        return day + min(max(fraction, 0.0), 1.0)
