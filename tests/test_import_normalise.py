"""The cleaning rules behind the importers, and the taxonomy mapping's precedence."""

from datetime import time

import pytest

from providers.importers import normalise as norm
from providers.importers.mapping import SERVICE_KINDS, Languages, Mapper
from providers.models import TaxonomyMapping, Term


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(212) 555-0100", ("+12125550100", "")),
        ("212.555.0100 x204", ("+12125550100", "204")),
        ("1-800-799-7233", ("+18007997233", "")),
        ('"+44 1234 234567"', ("+441234234567", "")),
        ("988", ("988", "")),
    ],
)
def test_phone_numbers_in_any_common_form_become_e164(raw, expected):
    number, extension, _ = norm.phone(raw)
    assert (number, extension) == expected


@pytest.mark.parametrize("raw", ["call us", "555-0100", "12"])
def test_a_phone_that_cannot_be_dialled_is_unusable(raw):
    with pytest.raises(norm.Unusable):
        norm.phone(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("ny ", "NY"), ("N.Y.", "NY"), ("new york", "NY"), ("Puerto Rico", "PR"), ("MyState", "")],
)
def test_states(raw, expected):
    assert norm.state(raw)[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("10001", "10001"), ("10001-1234", "10001-1234"), ("100011234", "10001-1234"),
     ("2108", "02108"), ("10001.0", "10001"), ("ABC 1234", ""), (" ", "")],
)  # fmt: skip
def test_zip_codes(raw, expected):
    assert norm.postcode(raw)[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("9:00am", time(9)), ("5:00 PM", time(17)), ("17:00:00", time(17)), ("0900", time(9)),
     ("noon", time(12)), ("12:30 a.m.", time(0, 30)), ("24:00", time(23, 59)),
     ("10:00:00Z", time(10)), ("25:00", None), ("soon", None)],
)  # fmt: skip
def test_clock_times(raw, expected):
    assert norm.clock(raw) == expected


def test_hours_as_people_type_them():
    periods, always, _, _ = norm.opening_hours("Monday through Friday: 9:00 AM - 5:00 PM; Sat 10-2")
    assert not always
    assert periods == [(d, time(9), time(17)) for d in range(1, 6)] + [(6, time(10), time(14))]
    assert norm.opening_hours("24/7")[:2] == ([], True)
    assert norm.opening_hours("Sa-Su 22:00-06:00")[0] == [
        (6, time(22), time(6)),
        (7, time(22), time(6)),
    ]
    assert norm.opening_hours("By appointment")[0] is None


@pytest.mark.parametrize(
    "raw",
    [
        "Mon-Fri 00:00-00:00",
        "Mon-Fri 12am-12am",
        "Mon-Fri midnight-midnight",
        "Mon-Fri 24 hours",
        "Monday - Friday: open 24 hours",
        "Mon-Fri: 24hrs",
        "Weekdays all day",
    ],
)
def test_days_open_all_day_as_people_type_them(raw):
    """Open all day on some days: it was "not understood" (a spreadsheet's hours cell) and
    kept as a note, so the place never showed "Open now"."""
    periods, always, _, _ = norm.opening_hours(raw)
    assert periods == [(day, time(0), time(23, 59)) for day in range(1, 6)]
    assert not always


def test_every_day_all_day_is_open_24_7():
    for raw in ("Mon-Sun 00:00-00:00", "Daily 24 hours", "Mon-Fri 24 hours; Sat-Sun 24 hours"):
        assert norm.opening_hours(raw)[:2] == ([], True), raw
    # Partly all day: the rest of the week keeps its hours.
    periods, always, _, _ = norm.opening_hours("Mon-Fri 24 hours; Sat 10-2; Sun closed")
    assert not always
    assert periods == [(d, time(0), time(23, 59)) for d in range(1, 6)] + [(6, time(10), time(14))]


WEEKDAYS = [1, 2, 3, 4, 5]


def _every(days, opens, closes):
    return [(day, opens, closes) for day in days]


@pytest.mark.parametrize(
    ("raw", "periods"),
    [
        # Several ranges in one part, by commas, "and" or nothing between them.
        ("Mon-Fri 9am-5pm, Sat 10am-2pm", _every(WEEKDAYS, time(9), time(17)) + [
            (6, time(10), time(14))]),
        ("Mon-Thu 8-6, Fri 8-5", _every([1, 2, 3, 4], time(8), time(18)) + [
            (5, time(8), time(17))]),
        ("Mon-Fri 7:00 AM - 7:00 PM and Sat 8:00 AM - 12:00 PM",
         _every(WEEKDAYS, time(7), time(19)) + [(6, time(8), time(12))]),
        ("Mon-Fri 8-5 Sat 9-1", _every(WEEKDAYS, time(8), time(17)) + [(6, time(9), time(13))]),
        ("Monday: 9:00 AM - 5:00 PM, Tuesday: 10:00 AM - 6:00 PM",
         [(1, time(9), time(17)), (2, time(10), time(18))]),
        # A split day: the second range is on the same days.
        ("Mon-Fri 8:00AM-12:00PM, 1:00PM-5:00PM", _every(WEEKDAYS, time(8), time(12))
         + _every(WEEKDAYS, time(13), time(17))),
        # Days said closed are no hours, and the rest is read.
        ("Mon-Fri 9AM-5PM, Sat-Sun Closed", _every(WEEKDAYS, time(9), time(17))),
        ("Mon-Fri 9-5, closed Wednesday", _every([1, 2, 4, 5], time(9), time(17))),
        ("Mon-Fri 9-5, Wed closed", _every([1, 2, 4, 5], time(9), time(17))),
        ("9am-5pm, closed weekends", _every(WEEKDAYS, time(9), time(17))),
        ("Mon-Fri 9-5; Closed: Wednesday", _every([1, 2, 4, 5], time(9), time(17))),
        # A second range on the same days, without am or pm, after the first: the afternoon.
        ("Mon-Fri 8-12, 1-5", _every(WEEKDAYS, time(8), time(12))
         + _every(WEEKDAYS, time(13), time(17))),
        ("Mon-Fri 9-5, 6-8", _every(WEEKDAYS, time(9), time(17))
         + _every(WEEKDAYS, time(18), time(20))),
        ("24hrs M-F, Sat 9am-1pm", _every(WEEKDAYS, time(0), time(23, 59)) + [
            (6, time(9), time(13))]),
        # Four-digit times (it read "0700-1500" as Sunday and midnight to 15:00).
        ("Mon-Fri 0700-1500", _every(WEEKDAYS, time(7), time(15))),
        ("Mon-Fri 0800-1700", _every(WEEKDAYS, time(8), time(17))),
        # Days as people abbreviate them.
        ("M-F 9-5", _every(WEEKDAYS, time(9), time(17))),
        ("M, W, F 9-5", _every([1, 3, 5], time(9), time(17))),
        ("Tues/Thurs 9-5", _every([2, 4], time(9), time(17))),
        ("Mon.-Fri. 9a-5p", _every(WEEKDAYS, time(9), time(17))),
        ("7 days a week 9am-5pm", _every(range(1, 8), time(9), time(17))),
        # All day before or among the days.
        ("24hrs M-F", _every(WEEKDAYS, time(0), time(23, 59))),
        ("Open 24 hours Monday-Friday", _every(WEEKDAYS, time(0), time(23, 59))),
        ("Open 24 hours on weekdays", _every(WEEKDAYS, time(0), time(23, 59))),
        ("All day Saturday", [(6, time(0), time(23, 59))]),
        ("Mon-Fri 24 hours, Sat 9-5", _every(WEEKDAYS, time(0), time(23, 59)) + [
            (6, time(9), time(17))]),
    ],
)  # fmt: skip
def test_hours_with_several_ranges_and_common_abbreviations(raw, periods):
    """As 211 spreadsheets write hours: text after the first range was dropped without a
    word (Saturday lost, an afternoon lost), and a part saying some days are closed lost the
    hours before it, so a survivor was told a place was closed while it was open."""
    read, always, _, _ = norm.opening_hours(raw)
    assert sorted(read) == sorted(periods), raw
    assert not always


@pytest.mark.parametrize(
    "raw, remark",
    [
        ("Mon-Fri 9-5 closed holidays", "closed holidays"),
        ("Mon-Fri 9am-5pm, Closed on all federal holidays.", "Closed on all federal holidays."),
        ("M-F 9-5; (closed major holidays)", "closed major holidays"),
        ("Mon-Fri 9-5 except holidays", "except holidays"),
    ],
)
def test_holidays_closed_after_the_hours_leave_the_hours_and_a_remark(raw, remark):
    """211 spreadsheets end most hours with "closed holidays": the whole value used to be a
    note, so a survivor saw no hours and "Open now" never found the place."""
    periods, always, note, kept = norm.opening_hours(raw)
    assert sorted(periods) == _every(WEEKDAYS, time(9), time(17))
    assert (always, kept) == (False, remark)
    assert note.endswith(f"{remark!r} kept as a note about the hours")  # in the report


@pytest.mark.parametrize(
    "raw",
    [
        "Mon-Fri 9am-5pm (closed 12-1 for lunch)",
        "Closed holidays",  # no hours to go with it
        "Mon-Fri 9-5 closed holidays and Fridays",
        "Mon-Fri 9-5, closed for lunch",
        "Mon-Fri 9am-5pm closed on the 1st Monday",
        "Closed",
        "Mon-Fri 9-5 by appointment",
        "Mon-Fri 9-5 except the first Monday",
        "Hotline 24/7; Office Mon-Fri 9-5",
    ],
)
def test_hours_with_text_that_cannot_be_read_are_kept_as_a_note(raw):
    """Never part of the hours in silence: what is left unread makes it a note."""
    assert norm.opening_hours(raw)[0] is None


@pytest.mark.parametrize(
    "raw",
    [
        "24/7", "Open 24/7", "24/7/365", "24 hours", "24 hours a day, 7 days a week",
        "24 hours/day", "24 Hours/7 Days", "Open 24 hours", "Always open",
    ],
)  # fmt: skip
def test_open_around_the_clock_as_people_write_it(raw):
    assert norm.opening_hours(raw)[:2] == ([], True), raw


def test_hours_text_is_read_back_the_same():
    periods = [(d, time(9), time(17)) for d in (1, 2, 3, 5)] + [(6, time(10), time(14))]
    text = norm.hours_text(periods, False)
    assert text == "Mon-Wed, Fri 09:00-17:00; Sat 10:00-14:00"
    assert sorted(norm.opening_hours(text)[0]) == sorted(periods)


def test_markup_and_markers_become_plain_text():
    text, note = norm.text(
        "<p>Free&nbsp;<b>legal</b> help</p><ul><li>A</li><li>B</li></ul>", multiline=True
    )
    assert text == "Free legal help\n\n- A\n- B"
    assert note == "HTML markup removed"
    assert norm.text("Line one_x000D_Line two", multiline=True)[0] == "Line one\nLine two"
    assert norm.text("N/A")[0] == ""
    assert norm.text("  a   b ")[0] == "a b"


def test_coordinates():
    assert norm.coordinates("40.7", "-74.0")[:2] == (40.7, -74.0)
    assert norm.coordinates("-74.0", "40.7")[:2] == (40.7, -74.0)
    assert norm.coordinates("0", "0")[:2] == (None, None)
    assert norm.coordinates("100", "101")[:2] == (None, None)


def test_confidential_markers():
    for street in (
        "Confidential",
        "Undisclosed location",
        "Address withheld",
        "Call for address",
        "CONFIDENTIAL - call the hotline",
    ):
        assert norm.CONFIDENTIAL_MARKER.search(street), street
    assert not norm.CONFIDENTIAL_MARKER.search("1 Private Road")


@pytest.mark.django_db
def test_languages_by_name_code_or_locale():
    languages = Languages.from_database()
    assert [
        languages.resolve(v)
        for v in ("Spanish", "spa", "es-MX", "Español", "ASL", "Farsi", "Klingon")
    ] == ["es", "es", "es", "es", "ase", "fa", None]


def slugs(resolved) -> set[str]:
    return set(Term.objects.filter(pk__in=resolved.term_ids).values_list("slug", flat=True))


@pytest.mark.django_db
def test_code_rules_match_a_code_and_the_codes_below_it_only():
    mapper = Mapper.from_database()
    legal = mapper.resolve(name="", code="FT-3600.1500", taxonomy="AIRS", kinds=SERVICE_KINDS)
    assert slugs(legal) == {"legal-assistance", "immigration-services", "immigrants"}
    lookalike = mapper.resolve(name="", code="FT3F2A10-0000", kinds=SERVICE_KINDS)
    assert not lookalike.known


@pytest.mark.django_db
def test_keywords_and_codes_add_up_and_exact_names_correct_them():
    mapper = Mapper.from_database()
    dv_legal = mapper.resolve(
        name="Domestic Violence Legal Services",
        code="FT-3000.1750",
        taxonomy="AIRS",
        kinds=SERVICE_KINDS,
    )
    assert slugs(dv_legal) == {"legal-assistance", "domestic-violence"}
    animals = mapper.resolve(name="Animal Shelters", kinds=SERVICE_KINDS)
    assert animals.known and not animals.term_ids

    TaxonomyMapping.objects.create(match="name", pattern="Legal Services for Pets", term=None)
    edited = Mapper.from_database().resolve(name="Legal services for pets", kinds=SERVICE_KINDS)
    assert edited.known and not edited.term_ids


@pytest.mark.django_db
def test_our_own_terms_are_recognised_by_name_and_slug():
    mapper = Mapper.from_database()
    by_name = mapper.resolve(name="Food/Shelter/Housing", kinds=SERVICE_KINDS)
    by_slug = mapper.resolve(
        name="?",
        code="sex-trafficking",
        taxonomy="Resource Map: victimization types",
        kinds=SERVICE_KINDS,
    )
    assert slugs(by_name) == {"food-shelter-housing"}
    assert slugs(by_slug) == {"sex-trafficking"}


@pytest.mark.parametrize(
    ("given", "inferred", "zone"),
    [
        ("America/Denver", "", "America/Denver"),
        ("America/New York", "", "America/New_York"),
        ("america/chicago", "", "America/Chicago"),
        ("CST6CDT", "", "CST6CDT"),
        ("EST", "", "America/New_York"),  # not the zone "EST", which has no summer time
        ("Eastern Standard Time", "", "America/New_York"),
        ("Eastern Daylight Time", "", "America/New_York"),
        ("(UTC-05:00) Eastern Time (US & Canada)", "", "America/New_York"),
        ("Pacific Time (US & Canada)", "", "America/Los_Angeles"),
        ("ET", "", "America/New_York"),
        ("Hawaii-Aleutian Standard Time", "", "Pacific/Honolulu"),
        ("ChST", "", "Pacific/Guam"),
        # Windows' names (they were not read: the hours were kept in New York's time).
        ("Hawaiian Standard Time", "", "Pacific/Honolulu"),
        ("Alaskan Standard Time", "", "America/Anchorage"),
        ("US Mountain Standard Time", "", "America/Phoenix"),
        ("Aleutian Standard Time", "", "America/Adak"),
        ("-8", "", "America/Los_Angeles"),
        ("-5:00:00", "", "America/New_York"),
        ("UTC -05:00", "", "America/New_York"),
        # Words and offsets name a time: the place's own zone where it keeps that time.
        ("MST", "America/Phoenix", "America/Phoenix"),
        ("Mountain Standard Time", "America/Phoenix", "America/Phoenix"),
        ("MST", "America/Denver", "America/Denver"),
        ("-7", "America/Phoenix", "America/Phoenix"),
        ("-4", "America/New_York", "America/New_York"),
        ("-4", "", "America/Puerto_Rico"),
    ],
)
def test_a_schedules_timezone_as_exports_write_it(given, inferred, zone):
    assert norm.schedule_zone(given, inferred=inferred)[0] == zone


@pytest.mark.parametrize(
    "given",
    [
        *["America/Indiana", "America/Kentucky", "Pacific-ish", "10", "A10", "-3", "+05:30"],
        *["UTC", "GMT", "Factory", "localtime"],
    ],
)
def test_a_timezone_that_names_no_zone_is_not_read(given):
    """ "America/Indiana" is a folder of zones, not one: opening it stopped the import."""
    zone, note = norm.schedule_zone(given)
    assert zone == "" and "not one we can read" in note


def test_hours_too_long_to_be_a_weeks_are_a_note_unread():
    """A garbled cell of commas and colons took 26 s at 80 KB to read (the trimming of the
    words between ranges backtracked), and a cell may hold megabytes."""
    for size in (20_000, 1_000_000):
        read, always, note, _ = norm.opening_hours("Mon 9am-5pm " + ",:" * (size // 2) + "x")
        assert (read, always) == (None, False)
        assert "characters not read; kept as a note" in note
    # Below the limit, a run of separators between ranges is only a separator.
    assert norm.opening_hours("Mon 9am-5pm " + ",:" * 200 + " Tue 9-5")[0] == [
        (1, time(9), time(17)),
        (2, time(9), time(17)),
    ]


@pytest.mark.parametrize(
    ("raw", "opens", "closes"),
    [
        # Nights, as our own exports and HSDS packages write them: they came back as one
        # evening hour (17:00-20:00), and the report called it a fix.
        ("Mon-Fri 17:00-08:00", time(17), time(8)),
        ("Daily 19:00-08:00", time(19), time(8)),
        ("Sat 13:00-02:00", time(13), time(2)),
        ("Mon-Fri 10pm-6", time(22), time(6)),
        # am/pm on one end only: the other is the same half of the day when that reads as
        # a day ("9am-5" was 9 am to 5 am).
        ("Mon-Fri 9am-5", time(9), time(17)),
        ("Mon-Fri noon-8", time(12), time(20)),
        ("Mon-Fri 5pm-8", time(17), time(20)),
        # Without am/pm, still the afternoon.
        ("Mon-Fri 9-5", time(9), time(17)),
        ("Mon-Fri 9:00-5:00", time(9), time(17)),
        ("Mon-Fri 12-4", time(12), time(16)),
    ],
)
def test_a_closing_before_the_opening_is_a_night_only_when_the_times_say_so(raw, opens, closes):
    periods = norm.opening_hours(raw)[0]
    assert {(o, c) for _, o, c in periods} == {(opens, closes)}, raw


@pytest.mark.parametrize(
    ("raw", "periods"),
    [
        # A day named again with other hours: those hours, not both (Wednesday was open at
        # 9 and again at 1 am).
        ("Mon-Fri 9-5; Wed 1-5", _every([1, 2, 4, 5], time(9), time(17)) + [
            (3, time(13), time(17))]),
        ("Mon-Fri 9-5, Fri 9-noon", _every([1, 2, 3, 4], time(9), time(17)) + [
            (5, time(9), time(12))]),
        ("Mon-Fri 9-5, Wed 12-5", _every([1, 2, 4, 5], time(9), time(17)) + [
            (3, time(12), time(17))]),
        ("Mon-Fri 9-5, Fri 24 hours", _every([1, 2, 3, 4], time(9), time(17)) + [
            (5, time(0), time(23, 59))]),
        # A split day keeps both halves.
        ("Mon 9-12, Mon 1-5", [(1, time(9), time(12)), (1, time(13), time(17))]),
        ("Mon-Fri 8-12, 1-5", _every(WEEKDAYS, time(8), time(12)) + _every(
            WEEKDAYS, time(13), time(17))),
        # Early hours without am/pm are the afternoon; the 24-hour clock says otherwise.
        ("Sat 1-5", [(6, time(13), time(17))]),
        ("Sat 01:00-05:00", [(6, time(1), time(5))]),
        ("Sat 1am-5am", [(6, time(1), time(5))]),
    ],
)  # fmt: skip
def test_a_day_named_again_takes_the_hours_given_last(raw, periods):
    read = norm.opening_hours(raw)[0]
    assert sorted(read) == sorted(periods), raw


@pytest.mark.parametrize(
    ("raw", "periods", "always", "remark"),
    [
        ("Mon-Fri 9-5, Sat closed, closed holidays", _every(WEEKDAYS, time(9), time(17)), False,
         "closed holidays"),
        ("Mon-Sat 9-5, Sat closed, closed holidays", _every(WEEKDAYS, time(9), time(17)), False,
         "closed holidays"),
        ("24/7, closed holidays", [], True, "closed holidays"),
        ("24/7 except holidays", [], True, "except holidays"),
        ("Mon-Fri 9-5, closed Sat, Sun", _every(WEEKDAYS, time(9), time(17)), False, ""),
    ],
)  # fmt: skip
def test_days_and_holidays_closed_after_the_hours_are_both_read(raw, periods, always, remark):
    """They made the whole cell a note, so the place showed no hours."""
    read, open_24_7, _, kept = norm.opening_hours(raw)
    assert (sorted(read), open_24_7, kept) == (periods, always, remark), raw
