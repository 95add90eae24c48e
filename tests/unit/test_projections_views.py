"""Corrections flow into the views and the indicators: contingent, mentee details, pair start
(founders and later joiners), training, consent withdrawal, status history by effective date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from support.world import ADMIN, person
from support import view_reads

from projections.facts import load_facts
from projections.indicators import IndicatorEngine
from projections.periods import Period
from projections.projector import Projector
from projections.store import open_view_store
from registry import commands as c


def test_corrections_reach_views_and_indicators(memory_registry) -> None:  # type: ignore[no-untyped-def]
    registry = memory_registry
    store = open_view_store(registry)
    projector = Projector(registry, store)

    def run(command: c.Command):  # type: ignore[no-untyped-def]
        result = registry.execute(command, ADMIN)
        projector.catch_up()
        return result.aggregate_id

    municipality = run(c.RegisterMunicipality(name="Район", region="Край"))
    school = run(c.RegisterOrganization(name="Школа", kind="school", municipality_id=municipality,
                                        registered_on=date(2019, 1, 1)))
    run(c.ReportContingent(organization_id=school, year=2021, figures=c.ContingentIn(students_10_19=4)))
    mentor = run(c.SubmitMentorApplication(organization_id=school, person=person("Наставник"), applied_on=date(2020, 1, 1),
                                           profile=c.MentorProfileIn(position="учитель", mentor_type="teacher")))
    run(c.ApproveMentor(mentor_id=mentor, effective_date=date(2020, 2, 1)))
    run(c.SuspendMentor(mentor_id=mentor, reason="отпуск", effective_date=date(2021, 3, 1)))
    run(c.ReinstateMentor(mentor_id=mentor, reason="вернулся", effective_date=date(2021, 9, 1)))
    first = run(c.RegisterMentee(organization_id=school, category="pupil", person=person("Первый"), birth_year=2013,
                                 registered_on=date(2020, 1, 1)))
    second = run(c.RegisterMentee(organization_id=school, category="pupil", person=person("Второй"), birth_year=2008,
                                  registered_on=date(2020, 1, 1)))
    pair = run(c.FormPair(organization_id=school, mentor_id=mentor, mentee_ids=[first], form="pupil_pupil",
                          started_on=date(2021, 10, 1)))
    run(c.AddMenteeToPair(pair_id=pair, mentee_id=second, joined_on=date(2021, 12, 1)))

    facts = load_facts(store)
    value = IndicatorEngine(facts).value("pupils_10_19", facts.find_unit("region"), Period.calendar_year(2021))
    assert (value.numerator, value.denominator) == (1, 4)  # the first is 8 in 2021: too young

    run(c.CorrectMentee(mentee_id=first, category="pupil", person=person("Первый"), birth_year=2010, reason="ошибка"))
    run(c.CorrectContingent(organization_id=school, year=2021, figures=c.ContingentIn(students_10_19=5),
                            reason="уточнено"))
    # Moved earlier: the founder moves with the start; the later joiner keeps 1 December. (Not
    # before 1 September: the mentor was suspended until then, and rules judge the dates.)
    run(c.CorrectPairStart(pair_id=pair, started_on=date(2021, 9, 15), reason="дата приказа"))
    facts = load_facts(store)
    engine = IndicatorEngine(facts)
    value = engine.value("pupils_10_19", facts.find_unit("region"), Period.calendar_year(2021))
    assert (value.numerator, value.denominator, value.share) == (2, 5, Decimal("40.00"))
    pairs = view_reads.pairs(store)
    assert [(m["mentee_id"], m["joined_on"]) for m in pairs[0]["mentees"]] == [
        (str(first), "2021-09-15"), (str(second), "2021-12-01")]
    # Moved later than the joiner: both now join on the new start.
    run(c.CorrectPairStart(pair_id=pair, started_on=date(2021, 12, 15), reason="уточнено"))
    pairs = view_reads.pairs(store)
    assert {m["joined_on"] for m in pairs[0]["mentees"]} == {"2021-12-15"}
    assert {c["year"]: c["corrections"] for c in view_reads.organizations(store)[0]["contingents"]} == {2021: 1}

    # Status history by effective date: suspended from March to September 2021.
    mentor_facts = load_facts(store).mentors[0]
    assert mentor_facts.status_on(date(2021, 1, 1)) == "active"
    assert mentor_facts.status_on(date(2021, 6, 30)) == "suspended"
    assert mentor_facts.status_on(date(2021, 12, 31)) == "active"

    run(c.RecordTraining(mentor_id=mentor, course="Курс", provider="ИРО", completed_on=date(2021, 4, 1),
                         command_id="t-1"))
    run(c.CorrectTraining(mentor_id=mentor, training_id="t-1", course="Курс наставников", provider="ИРО",
                          completed_on=date(2021, 4, 2), reason="опечатка"))
    run(c.GiveConsent(mentor_id=mentor, fields=["name", "training"], effective_date=date(2021, 1, 1)))
    public = view_reads.public_mentors(store)
    assert public == [{"id": str(mentor), "full_name": "Наставник",
                       "trainings": [{"course": "Курс наставников", "provider": "ИРО", "completed_on": "2021-04-02"}]}]
    run(c.WithdrawConsent(mentor_id=mentor, effective_date=date(2022, 1, 1)))
    assert view_reads.public_mentors(store) == []
    assert view_reads.mentors(store)[0]["consent_fields"] == []
