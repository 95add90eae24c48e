"""Rules on the dates of the world: history entered in any order gives the same registry and report.

The region's case (issue 17): a mentor with capacity 5 led a1–a4 until 30.06.2020 (the ends
entered later) and a5, a6 from 01.11.2020; school S2 of the second municipality reported no 2021
contingent, so the region's change for pupils 15–19 is taken over the comparable school S1 only:
5 % (2/40) → 4 % (2/50), −1.0 pp («сравнение по 1 организации из 2»), where the whole region's
shares (2/60 → 2/50) would have shown +0.67 pp.
"""

from __future__ import annotations

from datetime import date

import pytest
from support.stores import STORES, fresh_registry
from support.world import TODAY
from support.world_history import Step, causal, date_order, enter, picture

from registry import commands as c

CAPACITY = 5


def _setup() -> list[Step]:
    """Units, contingents, mentors and mentees: recorded first, in any history."""
    steps = [
        Step(date(2015, 1, 1), "M1", lambda k: c.RegisterMunicipality(name="Северный район", region="Хабаровский край")),
        Step(date(2015, 1, 1), "M2", lambda k: c.RegisterMunicipality(name="Южный район", region="Хабаровский край")),
    ]
    for label, kind, municipality in (("S1", "school", "M1"), ("E1", "extra", "M1"), ("S2", "school", "M2")):
        steps.append(Step(date(2015, 1, 1), label, lambda k, kind=kind, m=municipality, n=label: c.RegisterOrganization(
            name=f"Организация {n}", kind=kind, municipality_id=k[m], registered_on=date(2015, 9, 1))))
    figures = {
        ("S1", 2020): {"students_10_19": 100, "students_15_19": 40, "young_teachers": 4},
        ("S1", 2021): {"students_10_19": 110, "students_15_19": 50, "young_teachers": 5},
        ("S2", 2020): {"students_10_19": 60, "students_15_19": 20, "young_teachers": 2},
        ("E1", 2020): {"students_extra": 100},
        ("E1", 2021): {"students_extra": 100},
    }  # S2 reported no 2021 contingent
    for (org, year), numbers in figures.items():
        steps.append(Step(date(2015, 1, 1), None, lambda k, o=org, y=year, f=numbers: c.ReportContingent(
            organization_id=k[o], year=y, figures=c.ContingentIn(**f))))
    for label, org, capacity, form in (("A", "S1", CAPACITY, "pupil_pupil"), ("T", "S1", None, "teacher_teacher"),
                                       ("B", "S2", None, "pupil_pupil")):
        steps.append(Step(date(2015, 1, 1), label, lambda k, o=org, cap=capacity, f=form, n=label: c.SubmitMentorApplication(
            organization_id=k[o], person=c.PersonIn(full_name=f"Наставник {n}"),
            profile=c.MentorProfileIn(position="учитель", mentor_type="teacher", forms=[f], subjects=["история"]),
            capacity=cap, applied_on=date(2019, 8, 1))))
        steps.append(Step(date(2015, 1, 1), None, lambda k, n=label: c.ApproveMentor(
            mentor_id=k[n], effective_date=date(2019, 8, 20))))
    pupils = {"a1": ("S1", 2004), "a2": ("S1", 2004), "a3": ("S1", 2010), "a4": ("S1", 2010),
              "a5": ("S1", 2006), "a6": ("S1", 2006), "s2p": ("S2", 2004), "e1": ("E1", 2010)}
    for label, (org, born) in pupils.items():
        steps.append(Step(date(2015, 1, 1), label, lambda k, o=org, b=born, n=label: c.RegisterMentee(
            organization_id=k[o], category="pupil", person=c.PersonIn(full_name=f"Ученик {n}"),
            birth_year=b, registered_on=date(2019, 9, 1))))
    steps.append(Step(date(2015, 1, 1), "t1", lambda k: c.RegisterMentee(
        organization_id=k["S1"], category="young_teacher", person=c.PersonIn(full_name="Педагог t1"),
        work_started_on=date(2019, 9, 1), registered_on=date(2019, 9, 1))))
    return steps


def _pair(label: str, mentor: str, mentee: str, org: str, on: date, form: str = "pupil_pupil") -> Step:
    return Step(on, label, lambda k: c.FormPair(
        organization_id=k[org], mentor_id=k[mentor], mentee_ids=[k[mentee]], form=form, started_on=on))


def _end(pair: str, on: date) -> Step:
    return Step(on, None, lambda k: c.CompletePair(pair_id=k[pair], ended_on=on, outcome="Проект защищён"),
                after=pair)


def _history() -> list[Step]:
    """What happened in the world, in the order an official entered it (ends last)."""
    return [
        *[_pair(f"P{n}", "A", f"a{n}", "S1", date(2019, 9, 1)) for n in range(1, 5)],
        _pair("P5", "A", "a5", "S1", date(2020, 11, 1)),
        _pair("P6", "A", "a6", "S1", date(2020, 11, 1)),
        _pair("Pt", "T", "t1", "S1", date(2020, 9, 1), form="teacher_teacher"),
        _pair("Ps2", "B", "s2p", "S2", date(2021, 2, 1)),
        _pair("Pe", "A", "e1", "E1", date(2021, 3, 1)),
        _end("P5", date(2021, 5, 31)),
        *[_end(f"P{n}", date(2020, 6, 30)) for n in range(1, 5)],  # the ends entered later
    ]


@pytest.fixture(params=STORES)
def kind(request):  # type: ignore[no-untyped-def]
    return request.param


def _built(kind: str, directory, order: list[Step]):  # type: ignore[no-untyped-def]
    directory.mkdir(parents=True, exist_ok=True)
    with fresh_registry(kind, directory) as registry:
        labels = enter(registry, _setup() + order)
        return picture(registry, labels)


def _row(report, indicator: str, unit_kind: str, name: str):  # type: ignore[no-untyped-def]
    table = next(i for i in report["indicators"] if i["id"] == indicator)
    return next(r for r in table["rows"] if r["unit_kind"] == unit_kind and r["unit_name"] == name)


def test_the_history_entered_as_the_official_did_gives_the_report_of_date_order(kind, tmp_path):
    entered = _built(kind, tmp_path / "entered", causal(_history()))
    in_date_order = _built(kind, tmp_path / "dated", date_order(_history()))
    reversed_order = _built(kind, tmp_path / "reversed", causal(list(reversed(_history()))))

    assert entered == in_date_order == reversed_order
    region = _row(entered["report"], "pupils_15_19", "region", "Хабаровский край")
    assert (region["a"]["numerator"], region["a"]["denominator"]) == (2, 60)
    assert (region["b"]["numerator"], region["b"]["denominator"]) == (2, 50)
    assert region["change_pp"] == -1.0 and region["declined"] is True
    assert region["comparable"] == {"organizations": 1, "of": 2, "a_share": 5, "b_share": 4,
                                    "note": "сравнение по 1 организации из 2"}
    young = _row(entered["report"], "young_teachers", "region", "Хабаровский край")
    assert (young["a"]["share"], young["b"]["share"], young["change_pp"]) == (16.67, 20, -5)
    south = _row(entered["report"], "pupils_15_19", "municipality", "Южный район")
    assert south["change_pp"] is None and south["declined"] is False
    assert south["comparable"]["note"] == "нет организаций с контингентом за оба периода: изменение не рассчитано"
    extra = _row(entered["report"], "extra_ed", "region", "Хабаровский край")
    assert (extra["change_pp"], extra["comparable"]["note"]) == (1, None)  # every organization comparable


# -- the rules, one by one (in memory) ---------------------------------------------------------------


@pytest.fixture
def region(memory_registry):  # type: ignore[no-untyped-def]
    from support.world import Region

    return Region(memory_registry)


def _complete(pair_id, on):  # type: ignore[no-untyped-def]
    return c.CompletePair(pair_id=pair_id, ended_on=on, outcome="Проект защищён")


def test_a_pair_after_pairs_whose_ends_are_not_entered_yet_is_accepted(region):
    mentor = region.active_mentor(capacity=1, applied_on=date(2019, 8, 1), approved_on=date(2019, 8, 20))
    old = region.pair(mentor, [region.mentee()], started_on=date(2019, 9, 1))

    new = region.pair(mentor, [region.mentee()], started_on=date(2020, 11, 1))  # the old end comes later
    region.run(_complete(old, date(2020, 6, 30)))

    assert region.events(new) == ["Formed"]
    assert region.events(old) == ["Formed", "Completed"]


def test_a_late_end_that_makes_pairs_overlap_is_refused_naming_them(region):
    from registry.errors import RuleViolation

    mentor = region.active_mentor(capacity=2, applied_on=date(2019, 8, 1), approved_on=date(2019, 8, 20))
    first = region.pair(mentor, [region.mentee()], started_on=date(2020, 1, 10))
    second = region.pair(mentor, [region.mentee()], started_on=date(2020, 3, 2))
    region.pair(mentor, [region.mentee()], started_on=date(2020, 3, 2))

    err = region.refuse(_complete(first, date(2020, 6, 30)), expect=RuleViolation)
    region.run(_complete(first, date(2020, 3, 2)))  # ended the day the others began: a handover

    assert (err.rule, err.field) == ("mentor_capacity", "mentor_id")
    assert f"пара {str(second)[:8]} с 02.03.2020" in err.message
    assert "02.03.2020" in err.message


def test_a_start_moved_earlier_onto_another_pair_is_refused(region):
    from registry.errors import RuleViolation

    mentor = region.active_mentor(capacity=1, applied_on=date(2019, 8, 1), approved_on=date(2019, 8, 20))
    first = region.pair(mentor, [region.mentee()], started_on=date(2020, 1, 10))
    region.run(_complete(first, date(2020, 6, 30)))
    second = region.pair(mentor, [region.mentee()], started_on=date(2020, 9, 1))

    err = region.refuse(c.CorrectPairStart(pair_id=second, started_on=date(2020, 5, 1), reason="Опечатка в приказе"),
                        expect=RuleViolation)

    assert err.rule == "mentor_capacity" and f"пара {str(first)[:8]} с 10.01.2020" in err.message


def test_one_pair_of_a_form_per_mentee_is_judged_on_the_days_of_the_pairs(region):
    from registry.errors import RuleViolation

    pupil = region.mentee()
    first = region.pair(region.active_mentor(), [pupil], started_on=date(2020, 1, 10))
    second = region.pair(region.active_mentor(), [pupil], started_on=date(2020, 9, 1))  # first's end not entered

    err = region.refuse(_complete(first, date(2020, 12, 31)), expect=RuleViolation)
    region.run(_complete(first, date(2020, 8, 31)))

    assert (err.rule, err.field) == ("one_active_pair_per_form", "pair_id")
    assert f"пара {str(second)[:8]} с 01.09.2020" in err.message


# -- property: any order of a valid history ------------------------------------------------------------

import tempfile  # noqa: E402
from datetime import timedelta  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ops.storage import open_registry  # noqa: E402

FIRST_DAY = date(2020, 1, 1)
generated_pairs = st.lists(
    st.tuples(
        st.integers(0, 3),  # which mentee
        st.sampled_from(["pupil_pupil", "employer_pupil"]),
        st.integers(0, 600),  # start, days after 1 Jan 2020
        st.one_of(st.none(), st.integers(0, 200)),  # days it ran (None: no end recorded)
        st.one_of(st.none(), st.tuples(st.integers(0, 3), st.integers(0, 200))),  # who joined, when
    ),
    max_size=7,
)


def _held(join: date, last_join: date, end: date | None) -> set[date]:
    """The days a member is known to hold a place, computed apart from the registry: to the last
    join while no end is recorded; else to the day before the end (a handover day), or the last
    join, or the member's own day, whichever is latest."""
    last = last_join if end is None else max(end - timedelta(days=1), last_join, join)
    return {join + timedelta(days=n) for n in range((max(last, join) - join).days + 1)}


def _members(pair) -> list[tuple[int, date, set[date]]]:  # type: ignore[no-untyped-def]
    mentee, _, start, end, joiner = pair
    joins = [(mentee, start)] + ([joiner] if joiner else [])
    last_join = max(day for _, day in joins)
    return [(who, day, _held(day, last_join, end)) for who, day in joins]


def _valid(capacity: int, pairs):  # type: ignore[no-untyped-def]
    """Keep, in date order, each pair (or group) that leaves the finished history within the rules."""
    kept: list[tuple[int, str, date, date | None, tuple[int, date] | None]] = []
    for mentee, form, offset, length, joining in sorted(pairs, key=lambda p: p[2]):
        start = FIRST_DAY + timedelta(days=offset)
        end = None if length is None else start + timedelta(days=length)
        joiner = None
        if joining is not None and joining[0] != mentee:
            joined = start + timedelta(days=joining[1])
            if end is None or joined <= end:
                joiner = (joining[0], joined)
        candidate = [*kept, (mentee, form, start, end, joiner)]
        load: dict[date, int] = {}
        held: list[tuple[int, str, set[date]]] = []
        for pair in candidate:
            for who, _, days in _members(pair):
                held.append((who, pair[1], days))
                for day in days:
                    load[day] = load.get(day, 0) + 1
        same_form_clash = any(
            a[0] == b[0] and a[1] == b[1] and a[2] & b[2] for i, a in enumerate(held) for b in held[i + 1:]
        )
        if max(load.values()) <= capacity and not same_form_clash:
            kept.append((mentee, form, start, end, joiner))
    return kept


def _join(pair: str, mentee: str, on: date) -> Step:
    return Step(on, f"{pair}+", lambda k: c.AddMenteeToPair(pair_id=k[pair], mentee_id=k[mentee], joined_on=on),
                after=pair)


def _steps(kept) -> list[Step]:  # type: ignore[no-untyped-def]
    steps: list[Step] = []
    for index, (mentee, form, start, end, joiner) in enumerate(kept):
        label = f"G{index}"
        steps.append(_pair(label, "A", f"m{mentee}", "S1", start, form=form))
        if joiner is not None:
            steps.append(_join(label, f"m{joiner[0]}", joiner[1]))
        if end is not None:  # an end comes after every join of its group
            ending = _end(label, end)
            steps.append(Step(ending.on, None, ending.command, after=f"{label}+" if joiner else label))
    return steps


def _people(capacity: int) -> list[Step]:
    steps = [
        Step(FIRST_DAY, "M1", lambda k: c.RegisterMunicipality(name="Северный район", region="Хабаровский край")),
        Step(FIRST_DAY, "S1", lambda k: c.RegisterOrganization(name="Школа № 1", kind="school",
                                                               municipality_id=k["M1"], registered_on=date(2015, 9, 1))),
        *[Step(FIRST_DAY, None, lambda k, y=y: c.ReportContingent(organization_id=k["S1"], year=y,
                                                                  figures=c.ContingentIn(students_10_19=30 + y - 2020)))
          for y in (2020, 2021)],
        Step(FIRST_DAY, "A", lambda k: c.SubmitMentorApplication(
            organization_id=k["S1"], person=c.PersonIn(full_name="Наставник A"),
            profile=c.MentorProfileIn(position="учитель", mentor_type="teacher", forms=["pupil_pupil"], subjects=[]),
            capacity=capacity, applied_on=date(2019, 8, 1))),
        Step(FIRST_DAY, None, lambda k: c.ApproveMentor(mentor_id=k["A"], effective_date=date(2019, 8, 20))),
    ]
    for n in range(4):
        steps.append(Step(FIRST_DAY, f"m{n}", lambda k, n=n: c.RegisterMentee(
            organization_id=k["S1"], category="pupil", person=c.PersonIn(full_name=f"Ученик m{n}"),
            birth_year=2006 + n, registered_on=date(2019, 9, 1))))
    return steps


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capacity=st.integers(1, 3), pairs=generated_pairs, order=st.randoms(use_true_random=False))
def test_any_order_of_a_valid_history_gives_the_views_and_indicators_of_date_order(capacity, pairs, order):
    steps = _steps(_valid(capacity, pairs))
    shuffled = list(steps)
    order.shuffle(shuffled)
    pictures = []
    with tempfile.TemporaryDirectory() as directory:  # a file each: nothing shared between the two
        for name, sequence in (("dated", date_order(steps)), ("shuffled", causal(shuffled))):
            registry = open_registry(f"sqlite:///{directory}/{name}.sqlite3", clock=lambda: TODAY)
            try:
                pictures.append(picture(registry, enter(registry, _people(capacity) + sequence)))
            finally:
                registry.close()
    assert pictures[0] == pictures[1]


def test_every_format_says_over_which_organizations_the_change_is_taken(memory_registry):
    import csv
    import io

    import openpyxl

    from projections.formats import render

    report = picture(memory_registry, enter(memory_registry, _setup() + date_order(_history())))["report"]
    note = "сравнение по 1 организации из 2"

    table = list(csv.DictReader(io.StringIO(render(report, "csv").decode("utf-8-sig"))))
    region = next(r for r in table if r["indicator"] == "pupils_15_19" and r["unit_kind"] == "region")
    assert (region["change_pp"], region["declined"]) == ("-1", "true")
    assert (region["comparable_organizations"], region["applicable_organizations"], region["change_note"]) == (
        "1", "2", note)
    html = render(report, "html").decode("utf-8")
    assert f"снижение</span>; 2021: нет контингента части организаций; {note}</td>" in html  # the region row
    assert ">-1,00 п.п.</text>" in html  # the chart: Северный район, its one school comparable
    sheet = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))["Обучающиеся 15–19 лет"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    header, first = rows[0], rows[1]
    assert first[header.index("Основание сравнения")] == note
    assert first[header.index("Изменение, п.п.")] == -1
