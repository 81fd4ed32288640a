"""The dashboards' filters, from GET parameters: period (from, to), team,
source and cohort (a month). Bad values are form errors shown on the page
with a 400 status, never a server error."""

import datetime as dt
import re
from typing import Any

from django import forms

from onethread.insights.frames import Filters, Period

DEFAULT_DAYS = 365
COHORT = re.compile(r"^(\d{4})-(\d{2})$")


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


class InsightsFilters(forms.Form):
    start = forms.DateField(required=False, label="From")
    end = forms.DateField(required=False, label="To (included)")
    team = forms.IntegerField(required=False, min_value=1, max_value=2**62, label="Team")
    source = forms.CharField(required=False, max_length=100, strip=True, label="Source")
    cohort = forms.CharField(
        required=False, max_length=7, label="Cohort (month opened)", help_text="YYYY-MM"
    )

    def __init__(self, *args: Any, today: dt.date, teams: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        start, end = default_range(today)
        self.fields["start"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["end"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["start"].widget.attrs["placeholder"] = start.isoformat()
        self.fields["end"].widget.attrs["placeholder"] = end.isoformat()
        choices = [("", "Every team I may see")] if len(teams) > 1 else []
        self.fields["team"].widget = forms.Select(
            choices=choices + [(team.pk, team.name) for team in teams]
        )
        self.team_ids = {team.pk for team in teams}

    def clean_team(self) -> int | None:
        team = self.cleaned_data.get("team")
        if team is not None and team not in self.team_ids:
            raise forms.ValidationError("There is no such team.")
        return team

    def clean_cohort(self) -> dt.date | None:
        value = self.cleaned_data.get("cohort") or ""
        if not value:
            return None
        match = COHORT.match(value)
        if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise forms.ValidationError("Give the cohort as a month: YYYY-MM, e.g. 2025-03.")
        return dt.date(int(match.group(1)), int(match.group(2)), 1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The period must end on or after the day it starts.")
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not dt.date(1900, 1, 1) <= day <= dt.date(2199, 12, 31):
                self.add_error(name, "Choose a day between 1900 and 2199.")
        return data

    def period(self) -> Period:
        end = self.cleaned_data.get("end") or self.today
        start = self.cleaned_data.get("start") or default_range(end)[0]
        end = max(end, start)
        return Period(_midnight(start), _midnight(end + dt.timedelta(days=1)))

    def filters(self, team_id: int | None) -> Filters:
        return Filters(
            team=team_id,
            source=self.cleaned_data.get("source") or None,
            cohort=self.cleaned_data.get("cohort"),
        )

    def requested_team(self) -> int | None:
        """The team asked for, read before validation (the access check needs
        it to answer 403 rather than a form error)."""
        value = self.data.get("team", "")
        return (
            int(value) if isinstance(value, str) and value.isdigit() and len(value) < 18 else None
        )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
