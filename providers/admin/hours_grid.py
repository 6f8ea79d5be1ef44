"""The location's weekly hours as one grid: a row per weekday, up to two periods a day.

Plain form fields (time inputs), so the grid works without JavaScript; "copy Monday to the
weekdays" is a checkbox handled on save, and a small script does the same at once.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from providers.admin.forms import LocationForm
from providers.models import OpeningHours, Weekday

PERIODS = 2
WORKWEEK = (Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)


def _name(day: int, period: int, end: str) -> str:
    return f"hours_{day}_{period}_{end}"


def grid_rows() -> list[tuple[str, ...]]:
    """The admin fieldset lines: one per weekday, its periods' opening and closing times."""
    return [
        tuple(_name(day, period, end) for period in range(PERIODS) for end in ("opens", "closes"))
        for day in Weekday.values
    ]


def _time_field(day_label, period: int, end: str) -> forms.TimeField:
    label = {
        (0, "opens"): _("opens"),
        (0, "closes"): _("closes"),
        (1, "opens"): _("then opens"),
        (1, "closes"): _("then closes"),
    }[(period, end)]
    return forms.TimeField(
        # The row starts with the day's name; each input is named in full for screen readers.
        label=day_label if (period, end) == (0, "opens") else label,
        required=False,
        widget=forms.TimeInput(
            attrs={"type": "time", "aria-label": format_lazy("{} {}", day_label, label)},
            format="%H:%M",
        ),
    )


class _HoursGrid(LocationForm):
    copy_monday = forms.BooleanField(
        label=_("Copy Monday's hours to Tuesday–Friday"),
        required=False,
        help_text=_("Ticked, Monday's times replace Tuesday's to Friday's on save."),
    )

    class Media:
        js = ["providers/admin/hours_grid.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            periods: dict[int, list] = {}
            for row in self.instance.hours.all():
                periods.setdefault(row.weekday, []).append(row)
            for day, rows in periods.items():
                for period, row in enumerate(rows[:PERIODS]):
                    self.initial[_name(day, period, "opens")] = row.opens_at
                    self.initial[_name(day, period, "closes")] = row.closes_at

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("copy_monday"):
            for day in WORKWEEK:
                for period in range(PERIODS):
                    for end in ("opens", "closes"):
                        cleaned[_name(day, period, end)] = cleaned.get(
                            _name(Weekday.MONDAY, period, end)
                        )
        for day in Weekday.values:
            for period in range(PERIODS):
                opens = cleaned.get(_name(day, period, "opens"))
                closes = cleaned.get(_name(day, period, "closes"))
                if (opens is None) != (closes is None):
                    self.add_error(
                        _name(day, period, "opens" if opens is None else "closes"),
                        ValidationError(_("Give both the opening and the closing time.")),
                    )
                elif opens is not None and opens == closes:
                    self.add_error(
                        _name(day, period, "closes"),
                        ValidationError(_("Opening and closing times must differ.")),
                    )
        return cleaned

    def save_hours(self) -> None:
        """Rewrite the weekdays whose periods changed (one history entry per real change)."""
        location = self.instance
        for day in Weekday.values:
            wanted = []
            for period in range(PERIODS):
                opens = self.cleaned_data.get(_name(day, period, "opens"))
                closes = self.cleaned_data.get(_name(day, period, "closes"))
                if opens is not None and closes is not None:
                    wanted.append((opens, closes))
            rows = list(location.hours.filter(weekday=day))
            # Periods beyond the grid's (from an import) are kept as they are.
            shown = rows[:PERIODS]
            if [(row.opens_at, row.closes_at) for row in shown] == sorted(wanted):
                continue
            for row in shown:
                row.delete()
            for opens, closes in sorted(wanted):
                OpeningHours.objects.create(
                    location=location, weekday=day, opens_at=opens, closes_at=closes
                )


HoursGridForm = type(
    "HoursGridForm",
    (_HoursGrid,),
    {
        "__module__": __name__,
        **{
            _name(day, period, end): _time_field(label, period, end)
            for day, label in Weekday.choices
            for period in range(PERIODS)
            for end in ("opens", "closes")
        },
    },
)
