"""Rules of the region's units and the region's own data, as scenarios: municipalities and
organizations, contingents (the denominators), the implementation checklist, reference lists,
yearly targets, programs and their outputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from support.world import TODAY, Region, curator_of, directly, person, profile

from registry import commands as c
from registry.errors import NotFound, RuleViolation
from registry.organizations import Municipality, Organization
from registry.pairs import Pair
from registry.programs import Program, TargetPlan, target_plan_id
from registry.reference import DEFAULT_LISTS, ListKind, ReferenceList, reference_list_id
from registry.values import Contingent, Document


@pytest.fixture
def region(memory_registry) -> Region:
    return Region(memory_registry)


# -- municipalities and organizations --------------------------------------------------------------


def test_an_organization_is_registered_in_its_municipality(region):
    district = region.municipality("Бикинский муниципальный район")

    school = region.organization("school", municipality_id=district, name="МБОУ СОШ № 3 г. Бикин", inn="2702001234")

    organization = region.get(Organization, school)
    assert (organization.name, organization.kind, organization.inn) == ("МБОУ СОШ № 3 г. Бикин", "school", "2702001234")
    assert organization.municipality_id == district
    assert organization.is_open
    assert region.events(school) == ["Registered"]


def test_an_organization_needs_a_known_municipality(region):
    err = region.refuse(
        c.RegisterOrganization(name="МБОУ СОШ № 9", kind="school", municipality_id=uuid4(), registered_on=date(2010, 1, 1)),
        expect=NotFound,
    )

    assert (err.entity, err.problems[0].field) == ("municipality", "municipality_id")


def test_an_organization_cannot_be_registered_in_the_future(region):
    err = region.refuse(
        c.RegisterOrganization(name="МБОУ СОШ № 9", kind="school", municipality_id=region.home_municipality, registered_on=date(2023, 9, 1)),
        expect=RuleViolation,
    )

    assert (err.rule, err.field) == ("date_not_in_future", "registered_on")


def test_a_municipality_is_renamed_with_a_reason(region):
    district = region.municipality("Город Хабаровск")

    region.run(c.RenameMunicipality(municipality_id=district, name="Городской округ «Город Хабаровск»", reason="Устав"))

    assert region.get(Municipality, district).name == "Городской округ «Город Хабаровск»"
    assert region.events(district) == ["Registered", "Renamed"]


def test_an_organization_is_renamed_from_a_date(region):
    school = region.organization()

    region.run(c.RenameOrganization(organization_id=school, name="МАОУ «Лицей № 1»", effective_date=date(2022, 9, 1), reason="Смена типа"))

    assert region.get(Organization, school).name == "МАОУ «Лицей № 1»"
    renamed = region.last_event(school)
    assert (type(renamed).__name__, renamed.effective_date, renamed.reason) == ("Renamed", date(2022, 9, 1), "Смена типа")


def test_an_organization_is_closed_with_a_date_and_reason_and_stays_closed(region):
    school = region.organization(registered_on=date(2015, 9, 1))

    err = region.refuse(c.CloseOrganization(organization_id=school, effective_date=date(2015, 8, 31), reason="Ликвидация"), expect=RuleViolation)
    assert (err.rule, err.field) == ("close_after_registration", "effective_date")
    err = region.refuse(c.CloseOrganization(organization_id=school, effective_date=date(2023, 6, 2), reason="Ликвидация"), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_not_in_future", "effective_date")

    region.run(c.CloseOrganization(organization_id=school, effective_date=date(2022, 12, 31), reason="Ликвидация"))

    assert region.get(Organization, school).closed_on == date(2022, 12, 31)
    err = region.refuse(c.CloseOrganization(organization_id=school, effective_date=date(2023, 1, 1), reason="Ещё раз"), expect=RuleViolation)
    assert (err.rule, err.field) == ("organization_open", "organization_id")
    err = region.refuse(c.RenameOrganization(organization_id=school, name="Новое имя", effective_date=date(2023, 1, 1), reason="Переименование"), expect=RuleViolation)
    assert err.rule == "organization_open"


def test_a_closed_organization_takes_no_new_mentees_nor_programs(region):
    school = region.organization()
    region.run(c.CloseOrganization(organization_id=school, effective_date=date(2022, 12, 31), reason="Реорганизация"))

    err = region.refuse(
        c.RegisterMentee(organization_id=school, category="pupil", person=person(birth_date=date(2009, 1, 1)), registered_on=date(2023, 1, 10)),
        curator_of(school),
        expect=RuleViolation,
    )
    assert err.rule == "organization_open"
    err = region.refuse(
        c.AdoptProgram(organization_id=school, title="Программа", starts_on=date(2023, 1, 10)), curator_of(school), expect=RuleViolation
    )
    assert err.rule == "organization_open"


# -- contingents --------------------------------------------------------------------------------------------


def contingent(**figures) -> c.ContingentIn:
    defaults = dict(students_total=540, students_10_19=320, students_15_19=110, students_extra=0, teachers_total=46, young_teachers=5)
    defaults.update(figures)
    return c.ContingentIn(**defaults)


def test_a_years_contingent_is_reported_and_a_blank_figure_stays_unknown(region):
    school = region.organization()

    region.run(c.ReportContingent(organization_id=school, year=2021, figures=contingent(students_extra=None)))

    figures = region.get(Organization, school).contingents["2021"]
    assert figures == Contingent(students_total=540, students_10_19=320, students_15_19=110, students_extra=None, teachers_total=46, young_teachers=5)
    assert region.events(school)[-1] == "ContingentReported"


def test_a_contingent_is_reported_once_a_year_then_only_corrected(region):
    school = region.organization()
    region.run(c.ReportContingent(organization_id=school, year=2021, figures=contingent()))

    err = region.refuse(c.ReportContingent(organization_id=school, year=2021, figures=contingent(students_total=600)), expect=RuleViolation)

    assert (err.rule, err.field) == ("contingent_reported_once", "year")
    region.run(c.ReportContingent(organization_id=school, year=2022, figures=contingent(students_total=600)))


def test_a_contingent_of_a_year_to_come_is_refused(region):
    err = region.refuse(c.ReportContingent(organization_id=region.home, year=2024, figures=contingent()), expect=RuleViolation)

    assert (err.rule, err.field) == ("date_not_in_future", "year")


@pytest.mark.parametrize(
    ("figures", "field"),
    [
        (dict(students_total=100, students_10_19=101), "figures.students_10_19"),
        (dict(students_total=100, students_10_19=None, students_15_19=101), "figures.students_15_19"),
        (dict(students_10_19=50, students_15_19=51), "figures.students_15_19"),
        (dict(teachers_total=10, young_teachers=11), "figures.young_teachers"),
    ],
)
def test_a_part_of_the_contingent_never_exceeds_its_whole(region, figures, field):
    err = region.refuse(c.ReportContingent(organization_id=region.home, year=2021, figures=contingent(**figures)), expect=RuleViolation)

    assert (err.rule, err.field) == ("part_not_above_total", field)


def test_a_part_is_checked_only_against_a_known_whole(region):
    region.run(c.ReportContingent(organization_id=region.home, year=2021, figures=c.ContingentIn(students_10_19=300, students_15_19=100)))

    assert region.get(Organization, region.home).contingents["2021"].students_total is None


def test_negative_figures_are_refused_by_the_organization_itself(region, memory_registry):
    organization = memory_registry.get(Organization, region.home)

    with directly(), pytest.raises(RuleViolation) as err:
        organization.report_contingent(2021, Contingent(students_total=-1), TODAY)

    assert (err.value.rule, err.value.field) == ("non_negative", "figures.students_total")
    assert organization.pending_events == []


def test_a_contingent_correction_names_the_figures_it_corrects_and_why(region):
    school = region.organization()
    region.run(c.ReportContingent(organization_id=school, year=2021, figures=contingent()))
    reported = region.last_event(school)

    region.run(c.CorrectContingent(organization_id=school, year=2021, figures=contingent(students_10_19=330), reason="Ошибка в ОО-1"))

    corrected = region.last_event(school)
    assert type(corrected).__name__ == "ContingentCorrected"
    assert (corrected.corrects_version, corrected.reason) == (reported.originator_version, "Ошибка в ОО-1")
    assert region.get(Organization, school).contingents["2021"].students_10_19 == 330

    region.run(c.CorrectContingent(organization_id=school, year=2021, figures=contingent(students_10_19=331), reason="Ещё одна правка"))
    assert region.last_event(school).corrects_version == corrected.originator_version


def test_only_a_reported_contingent_can_be_corrected_and_only_consistently(region):
    school = region.organization()

    err = region.refuse(c.CorrectContingent(organization_id=school, year=2021, figures=contingent(), reason="Правка"), expect=RuleViolation)
    assert (err.rule, err.field) == ("contingent_exists", "year")

    region.run(c.ReportContingent(organization_id=school, year=2021, figures=contingent()))
    err = region.refuse(
        c.CorrectContingent(organization_id=school, year=2021, figures=contingent(young_teachers=47), reason="Правка"), expect=RuleViolation
    )
    assert (err.rule, err.field) == ("part_not_above_total", "figures.young_teachers")


def test_a_contingent_correction_needs_a_reason(region, memory_registry):
    region.run(c.ReportContingent(organization_id=region.home, year=2021, figures=contingent()))
    organization = memory_registry.get(Organization, region.home)

    with directly(), pytest.raises(RuleViolation) as err:
        organization.correct_contingent(2021, Contingent(students_total=1), "")

    assert (err.value.rule, err.value.field) == ("reason_required", "reason")


# -- the implementation checklist -----------------------------------------------------------------------


def order(number="12-о", issued_on=date(2021, 2, 1), link=None) -> c.DocumentIn:
    return c.DocumentIn(number=number, issued_on=issued_on, link=link)


def test_a_curator_marks_a_checklist_item_done_with_its_document(region):
    school = region.home

    region.run(
        c.CompleteChecklistItem(organization_id=school, item="curator_appointed", document=order(), completed_on=date(2021, 2, 1)),
        curator_of(school),
    )

    item = region.get(Organization, school).checklist["curator_appointed"]
    assert item == {"document": Document(number="12-о", issued_on=date(2021, 2, 1)), "completed_on": date(2021, 2, 1)}
    assert region.events(school)[-1] == "ChecklistItemCompleted"


def test_a_done_item_keeps_its_document_until_reopened_with_a_reason(region):
    school = region.home
    done = c.CompleteChecklistItem(organization_id=school, item="curator_appointed", document=order(), completed_on=date(2021, 2, 1))
    region.run(done, curator_of(school))

    err = region.refuse(
        c.CompleteChecklistItem(organization_id=school, item="curator_appointed", document=order("77-о"), completed_on=date(2021, 3, 1)),
        curator_of(school),
        expect=RuleViolation,
    )
    assert (err.rule, err.field) == ("checklist_item_open", "item")

    region.run(c.ReopenChecklistItem(organization_id=school, item="curator_appointed", reason="Приказ заменён"), curator_of(school))
    region.run(
        c.CompleteChecklistItem(organization_id=school, item="curator_appointed", document=order("77-о"), completed_on=date(2021, 3, 1)),
        curator_of(school),
    )
    assert region.get(Organization, school).checklist["curator_appointed"]["document"].number == "77-о"
    assert region.events(school)[-3:] == ["ChecklistItemCompleted", "ChecklistItemReopened", "ChecklistItemCompleted"]


def test_a_website_section_is_proven_by_a_link(region):
    region.run(
        c.CompleteChecklistItem(
            organization_id=region.home, item="website_section",
            document=c.DocumentIn(link="https://school1.khv.ru/nastavnichestvo"), completed_on=date(2021, 3, 1),
        )
    )

    assert region.get(Organization, region.home).checklist["website_section"]["document"].link.endswith("nastavnichestvo")


def test_a_checklist_item_needs_a_document_number_or_link(region):
    err = region.refuse(
        c.CompleteChecklistItem(organization_id=region.home, item="roadmap_adopted", document=c.DocumentIn(issued_on=date(2021, 2, 1)), completed_on=date(2021, 2, 1)),
        expect=RuleViolation,
    )

    assert (err.rule, err.field) == ("checklist_document_required", "document")


def test_a_checklist_item_is_one_of_the_regions_list(region):
    err = region.refuse(
        c.CompleteChecklistItem(organization_id=region.home, item="coffee_machine", document=order(), completed_on=date(2021, 2, 1)),
        expect=RuleViolation,
    )

    assert (err.rule, err.field) == ("reference_code", "item")


def test_a_checklist_item_is_not_done_in_the_future_nor_in_a_closed_organization(region):
    school = region.organization()
    err = region.refuse(
        c.CompleteChecklistItem(organization_id=school, item="roadmap_adopted", document=order(), completed_on=date(2023, 6, 2)), expect=RuleViolation
    )
    assert (err.rule, err.field) == ("date_not_in_future", "completed_on")

    region.run(c.CloseOrganization(organization_id=school, effective_date=date(2022, 12, 31), reason="Ликвидация"))
    err = region.refuse(
        c.CompleteChecklistItem(organization_id=school, item="roadmap_adopted", document=order(), completed_on=date(2022, 2, 1)), expect=RuleViolation
    )
    assert err.rule == "organization_open"


def test_a_done_item_is_reopened_with_a_reason_and_only_if_done(region):
    school = region.home
    err = region.refuse(c.ReopenChecklistItem(organization_id=school, item="regulation_adopted", reason="Положение отменено"), expect=RuleViolation)
    assert (err.rule, err.field) == ("checklist_item_completed", "item")

    region.run(c.CompleteChecklistItem(organization_id=school, item="regulation_adopted", document=order(), completed_on=date(2021, 2, 1)))
    region.run(c.ReopenChecklistItem(organization_id=school, item="regulation_adopted", reason="Положение отменено"), curator_of(school))

    assert "regulation_adopted" not in region.get(Organization, school).checklist
    assert region.last_event(school).reason == "Положение отменено"


# -- reference lists ---------------------------------------------------------------------------------------


def test_a_new_registry_holds_the_default_reference_lists(memory_registry):
    for kind, entries in DEFAULT_LISTS.items():
        assert memory_registry.reference_list(kind).active_codes() == {code for code, _ in entries}
    assert memory_registry.reference_list(ListKind.MENTORING_FORM).title_of("pupil_pupil") == "ученик – ученик"


def test_seeding_the_reference_lists_again_records_nothing(memory_registry):
    before = memory_registry.position()

    assert memory_registry.seed_reference_lists() == 0

    assert memory_registry.position() == before


def test_a_region_adds_a_new_form_of_mentoring_and_can_then_use_it(region):
    pupil = region.mentee()
    mentor_id = region.active_mentor()
    new_form = c.FormPair(organization_id=region.home, mentor_id=mentor_id, mentee_ids=[pupil], form="parent_pupil", started_on=date(2022, 9, 1))
    err = region.refuse(new_form, curator_of(region.home), expect=RuleViolation)
    assert (err.rule, err.field) == ("reference_code", "form")

    region.run(c.AddReferenceEntry(list_kind=ListKind.MENTORING_FORM, code="parent_pupil", title="родитель – ученик"))

    pair_id = region.run(new_form, curator_of(region.home)).aggregate_id
    assert region.get(Pair, pair_id).form == "parent_pupil"
    assert region.events(reference_list_id(ListKind.MENTORING_FORM))[-1] == "EntryAdded"


def test_a_code_is_added_once(region):
    err = region.refuse(c.AddReferenceEntry(list_kind=ListKind.MENTORING_FORM, code="pupil_pupil", title="ученик – ученик"), expect=RuleViolation)

    assert (err.rule, err.field) == ("reference_code_unique", "code")


def test_a_renamed_entry_keeps_its_code(region):
    region.run(c.RenameReferenceEntry(list_kind=ListKind.MENTORING_FORM, code="teacher_teacher", title="педагог – педагог (учитель)"))

    reference = region.registry.reference_list(ListKind.MENTORING_FORM)
    assert reference.title_of("teacher_teacher") == "педагог – педагог (учитель)"
    assert "teacher_teacher" in reference.active_codes()


def test_a_retired_code_is_refused_from_then_on_and_pairs_already_formed_keep_it(region):
    mentor_id = region.active_mentor(forms=["student_pupil"])
    earlier = region.pair(mentor_id, [region.mentee()], form="student_pupil")

    region.run(c.RetireReferenceEntry(list_kind=ListKind.MENTORING_FORM, code="student_pupil", reason="Форма объединена с «ученик – ученик»"))

    err = region.refuse(
        c.FormPair(organization_id=region.home, mentor_id=mentor_id, mentee_ids=[region.mentee()], form="student_pupil", started_on=date(2022, 9, 1)),
        expect=RuleViolation,
    )
    assert (err.rule, err.field) == ("reference_code", "form")
    err = region.refuse(
        c.SubmitMentorApplication(organization_id=region.home, person=person(), profile=profile(forms=["student_pupil"]), applied_on=date(2022, 9, 1)),
        expect=RuleViolation,
    )
    assert (err.rule, err.field) == ("reference_code", "profile.forms.0")
    assert region.get(Pair, earlier).form == "student_pupil"
    assert region.registry.reference_list(ListKind.MENTORING_FORM).title_of("student_pupil") == "студент – ученик"


def test_only_an_existing_code_is_renamed_or_retired(region):
    err = region.refuse(c.RenameReferenceEntry(list_kind=ListKind.MENTOR_TYPE, code="astronaut", title="космонавт"), expect=RuleViolation)
    assert (err.rule, err.field) == ("reference_code_exists", "code")
    err = region.refuse(c.RetireReferenceEntry(list_kind=ListKind.MENTOR_TYPE, code="astronaut", reason="Нет такого"), expect=RuleViolation)
    assert (err.rule, err.field) == ("reference_code_exists", "code")


def test_retiring_a_code_needs_a_reason(memory_registry):
    reference = memory_registry.reference_list(ListKind.OUTPUT_KIND)

    with directly(), pytest.raises(RuleViolation) as err:
        reference.retire("case", " ")

    assert (err.value.rule, err.value.field) == ("reason_required", "reason")


def test_an_unknown_reference_list_is_not_found(region):
    err = region.refuse(c.AddReferenceEntry(list_kind="hobbies", code="chess", title="шахматы"), expect=NotFound)

    assert err.problems[0].field == "list_kind"


# -- targets -----------------------------------------------------------------------------------------------


def test_the_roadmap_targets_are_set_year_by_year_on_one_plan(region):
    for year, share in [(2021, "20"), (2022, "35"), (2023, "50"), (2024, "70")]:
        region.target("pupils_10_19", year, share)

    plan_id = target_plan_id("pupils_10_19", "region", "27")
    plan = region.get(TargetPlan, plan_id)
    assert plan.targets == {"2021": Decimal("20"), "2022": Decimal("35"), "2023": Decimal("50"), "2024": Decimal("70")}
    assert region.events(plan_id) == ["Created", "TargetSet", "TargetSet", "TargetSet", "TargetSet"]


def test_a_target_share_is_a_percentage_from_0_to_100(region, memory_registry):
    region.target("young_teachers", 2021, "0")
    region.target("young_teachers", 2022, "100")
    region.target("young_teachers", 2023, "62.50")
    plan = memory_registry.get(TargetPlan, target_plan_id("young_teachers", "region", "27"))
    assert plan.targets["2023"] == Decimal("62.50")

    with directly():
        for share in (Decimal("-0.01"), Decimal("100.01")):
            with pytest.raises(RuleViolation) as err:
                plan.set_target(2025, share, None)
            assert (err.value.rule, err.value.field) == ("percent_range", "share_percent")
    assert plan.pending_events == []


def test_changing_a_target_already_set_needs_a_reason(region):
    region.target("extra_ed", 2022, "35")
    plan_id = target_plan_id("extra_ed", "region", "27")

    err = region.refuse(
        c.SetTarget(indicator="extra_ed", unit_kind="region", unit_id="27", year=2022, share_percent=Decimal("50")), expect=RuleViolation
    )
    assert (err.rule, err.field) == ("reason_required", "reason")

    region.target("extra_ed", 2022, "50", reason="Письмо министерства от 10.03.2022")
    changed = region.last_event(plan_id)
    assert (changed.share_percent, changed.reason) == (Decimal("50"), "Письмо министерства от 10.03.2022")
    assert region.get(TargetPlan, plan_id).targets["2022"] == Decimal("50")


def test_each_unit_has_its_own_plan(region):
    school = str(region.home)
    region.target("pupils_10_19", 2022, "35")
    region.run(c.SetTarget(indicator="pupils_10_19", unit_kind="organization", unit_id=school, year=2022, share_percent=Decimal("40")))

    assert region.get(TargetPlan, target_plan_id("pupils_10_19", "organization", school)).targets == {"2022": Decimal("40")}
    assert region.get(TargetPlan, target_plan_id("pupils_10_19", "region", "27")).targets == {"2022": Decimal("35")}


# -- programs and their outputs ------------------------------------------------------------------------------


def test_a_curator_adopts_a_program_by_order(region):
    program_id = region.program(forms=["pupil_pupil", "student_pupil"], starts_on=date(2021, 9, 1), ends_on=date(2024, 5, 31))

    program = region.get(Program, program_id)
    assert (program.organization_id, program.forms) == (region.home, ["pupil_pupil", "student_pupil"])
    assert program.order == Document(number="45-о", issued_on=date(2021, 9, 1))
    assert region.events(program_id) == ["Adopted"]


def test_a_program_ends_after_it_starts_and_does_not_start_in_the_future(region):
    school = region.home
    err = region.refuse(
        c.AdoptProgram(organization_id=school, title="Программа", starts_on=date(2022, 9, 1), ends_on=date(2022, 8, 31)), expect=RuleViolation
    )
    assert (err.rule, err.field) == ("date_order", "ends_on")

    err = region.refuse(c.AdoptProgram(organization_id=school, title="Программа", starts_on=date(2023, 9, 1)), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_not_in_future", "starts_on")


def test_a_program_names_forms_of_the_regions_list(region):
    err = region.refuse(
        c.AdoptProgram(organization_id=region.home, title="Программа", forms=["pupil_pupil", "robot_pupil"], starts_on=date(2022, 9, 1)),
        expect=RuleViolation,
    )

    assert (err.rule, err.field) == ("reference_code", "forms.1")


def output(program_id, *, kind="project", produced_on=date(2022, 4, 15), pair_id=None, command_id=None):
    return c.RecordProgramOutput(
        program_id=program_id,
        kind=kind,
        title="Проект «Школьный музей»",
        produced_on=produced_on,
        evidence_link="https://school1.khv.ru/news/123",
        pair_id=pair_id,
        command_id=command_id,
    )


def test_an_output_of_a_pair_is_recorded_against_its_program(region):
    program_id = region.program()
    pair_id = region.pair(region.active_mentor(), [region.mentee()], program_id=program_id)

    region.run(output(program_id, pair_id=pair_id, command_id="output-1"), curator_of(region.home))

    recorded = region.get(Program, program_id).outputs["output-1"]
    assert (recorded["kind"], recorded["produced_on"], recorded["pair_id"]) == ("project", date(2022, 4, 15), pair_id)
    assert region.events(program_id) == ["Adopted", "OutputRecorded"]


def test_an_output_is_dated_within_the_program_and_not_in_the_future(region):
    program_id = region.program(starts_on=date(2021, 9, 1))

    err = region.refuse(output(program_id, produced_on=date(2021, 8, 31)), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_order", "produced_on")
    err = region.refuse(output(program_id, produced_on=date(2023, 6, 2)), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_not_in_future", "produced_on")


def test_an_output_is_of_a_known_kind_and_names_an_existing_pair(region):
    program_id = region.program()

    err = region.refuse(output(program_id, kind="selfie"), expect=RuleViolation)
    assert (err.rule, err.field) == ("reference_code", "kind")
    err = region.refuse(output(program_id, pair_id=uuid4()), expect=NotFound)
    assert err.problems[0].field == "pair_id"


def test_an_output_cannot_name_a_pair_of_another_organization(region):
    program_id = region.program(region.home)
    other = region.organization()
    foreign_pair = region.pair(region.active_mentor(other), [region.mentee(other)], organization_id=other)

    err = region.refuse(output(program_id, pair_id=foreign_pair), curator_of(region.home), expect=RuleViolation)

    assert (err.rule, err.field) == ("pair_of_program_organization", "pair_id")


def test_an_output_is_counted_once(region, memory_registry):
    program_id = region.program()
    region.run(output(program_id, command_id="output-1"))
    program = memory_registry.get(Program, program_id)

    with directly(), pytest.raises(RuleViolation) as err:
        program.record_output("output-1", "project", "Проект", date(2022, 4, 15), None, None, TODAY)

    assert (err.value.rule, err.value.field) == ("output_unique", "output_id")


def test_a_wrong_output_is_retracted_naming_it_and_why(region):
    program_id = region.program()
    region.run(output(program_id, command_id="output-1"))
    recorded = region.last_event(program_id)

    region.run(c.RetractProgramOutput(program_id=program_id, output_id="output-1", reason="Внесено дважды"), curator_of(region.home))

    retracted = region.last_event(program_id)
    assert type(retracted).__name__ == "OutputRetracted"
    assert (retracted.corrects_version, retracted.reason) == (recorded.originator_version, "Внесено дважды")
    assert region.get(Program, program_id).outputs == {}

    err = region.refuse(c.RetractProgramOutput(program_id=program_id, output_id="output-1", reason="Ещё раз"), expect=RuleViolation)
    assert (err.rule, err.field) == ("output_exists", "output_id")


def test_aggregates_of_another_kind_are_not_found_under_the_wrong_name(region):
    """A mentee id sent where a pair is expected is 'not found', never mistaken for a pair."""
    pupil = region.mentee()

    err = region.refuse(c.CompletePair(pair_id=pupil, ended_on=date(2022, 1, 1), outcome="Итог"), expect=NotFound)

    assert err.problems[0].field == "pair_id"
    with pytest.raises(NotFound):
        region.registry.get(ReferenceList, pupil)
