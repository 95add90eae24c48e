"""Clean files, filled in from the templates, take a region from its organizations to pairs,
training and program outputs — on SQLite and PostgreSQL; importing them all again records nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from support.importing import (
    COLLEGE,
    SCHOOL,
    SCHOOL_INN,
    filled_template,
    imported,
    seed,
)

from ops.importing import import_file
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.organizations import Organization
from registry.pairs import Pair
from registry.programs import Program


def _files(registry, tmp_path: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    """One file per kind, in the order an institute loads them."""
    return [
        filled_template(registry, "organizations", tmp_path / "organizations.xlsx", [
            {"Наименование организации": "МБОУ СОШ № 7 г. Вяземский", "Тип организации": "общеобразовательная организация",
             "Муниципалитет": "Хабаровский муниципальный район", "ИНН": "2720099999",
             "Дата включения в реестр": date(2020, 9, 1)},
        ]),
        filled_template(registry, "contingents", tmp_path / "contingents.xlsx", [
            {"Организация": SCHOOL, "Год": 2021, "Обучающихся всего": 640, "Обучающихся 10–19 лет": 410,
             "Обучающихся 15–19 лет": 150, "Педагогов всего": 48,
             "Молодых педагогов до 35 лет со стажем до 3 лет": 5},
        ]),
        filled_template(registry, "mentors", tmp_path / "mentors.xlsx", [
            {"ФИО": "Королёва Анна Сергеевна", "Организация": SCHOOL, "Должность": "учитель физики",
             "Тип наставника": "педагог", "Формы наставничества": "учитель – учитель; ученик – ученик",
             "Предметы, компетенции": "физика; астрономия", "Сколько наставляемых может вести": 3,
             "Дата заявки": date(2021, 9, 1), "Дата вхождения в реестр": date(2021, 9, 15),
             "Согласие на публикацию": "да", "Дата согласия": date(2021, 9, 15)},
            {"ФИО": "Смирнов Олег Игоревич", "Организация": SCHOOL_INN, "Должность": "ученик 11 класса",
             "Тип наставника": "обучающийся", "Формы наставничества": "ученик – ученик",
             "Дата вхождения в реестр": date(2021, 9, 20)},
            {"ФИО": "Белов Игорь Петрович", "Организация": COLLEGE, "Должность": "инженер",
             "Тип наставника": "представитель работодателя", "Формы наставничества": "работодатель – студент",
             "Место работы (для внешних наставников)": "АО «Амурский завод»", "Дата заявки": date(2022, 2, 1)},
        ]),
        filled_template(registry, "mentees", tmp_path / "mentees.xlsx", [
            {"ФИО": "Ким Алина", "Категория": "обучающийся", "Организация": SCHOOL,
             "Год или дата рождения": date(2008, 3, 4), "Дата включения в программу": date(2021, 10, 1)},
            {"ФИО": "Орлов Денис", "Категория": "обучающийся", "Организация": SCHOOL,
             "Год или дата рождения": 2009, "Дата включения в программу": date(2021, 10, 1)},
            {"ФИО": "Зайцева Ольга Викторовна", "Категория": "молодой специалист (педагог до 35 лет, стаж до 3 лет)",
             "Организация": SCHOOL, "Дата начала работы": date(2021, 8, 25),
             "Дата включения в программу": date(2021, 9, 1)},
        ]),
        filled_template(registry, "programs", tmp_path / "programs.xlsx", [
            {"Организация": SCHOOL, "Название программы": "Шаг в науку", "Формы наставничества": "ученик – ученик",
             "Дата начала": date(2021, 9, 1), "Дата окончания": date(2024, 5, 31), "Номер приказа": "112-о",
             "Дата приказа": date(2021, 8, 30)},
        ]),
        filled_template(registry, "pairs", tmp_path / "pairs.xlsx", [
            {"ФИО наставника": "Королёва Анна Сергеевна", "ФИО наставляемого": "Зайцева Ольга Викторовна",
             "Организация": SCHOOL, "Форма наставничества": "учитель – учитель",
             "Вид наставничества": "традиционное (долгосрочное)", "Дата начала": date(2021, 10, 1)},
            {"ФИО наставника": "Смирнов Олег Игоревич", "ФИО наставляемого": "Ким Алина; Орлов Денис",
             "Организация": SCHOOL, "Форма наставничества": "ученик – ученик", "Программа": "Шаг в науку",
             "Дата начала": date(2021, 10, 5), "Дата завершения": date(2022, 5, 25),
             "Результат": "Проект защищён на школьной конференции"},
        ]),
        filled_template(registry, "trainings", tmp_path / "trainings.xlsx", [
            {"ФИО наставника": "Королёва Анна Сергеевна", "Организация": SCHOOL,
             "Курс": "Наставничество в образовательной организации", "Организатор обучения": "ХК ИРО",
             "Часов": 36, "Дата окончания": date(2021, 11, 20), "Номер удостоверения": "272400012345"},
        ]),
        filled_template(registry, "outputs", tmp_path / "outputs.xlsx", [
            {"Организация": SCHOOL, "Программа": "Шаг в науку", "Вид продукта": "проект",
             "Название": "Метеостанция на крыше школы", "Дата": date(2022, 4, 12),
             "Ссылка": "https://school.example/meteo"},
        ]),
    ]


def test_clean_files_load_a_region_and_a_second_import_records_nothing(registry, tmp_path: Path) -> None:
    ids = seed(registry)
    files = _files(registry, tmp_path)
    expected_rows = [1, 1, 3, 3, 1, 2, 1, 1]
    for path, rows in zip(files, expected_rows, strict=True):
        report = imported(registry, path)
        assert (report.rows, report.recorded_rows, report.present_rows) == (rows, rows, 0), path.name
        assert report.events > 0 and not report.warnings

    school = registry.get(Organization, ids["school"])
    assert school.contingents["2021"].students_10_19 == 410
    mentors = {m.person.full_name: m for m in _all(registry, Mentor)}
    korolyova = mentors["Королёва Анна Сергеевна"]
    assert (korolyova.status, korolyova.capacity) == ("active", 3)
    assert korolyova.profile.forms == ["teacher_teacher", "pupil_pupil"]
    assert korolyova.profile.subjects == ["физика", "астрономия"]
    assert korolyova.consented_fields == ["name", "organization", "municipality", "forms", "subjects", "training"]
    assert [t.hours for t in korolyova.trainings.values()] == [36]
    assert mentors["Смирнов Олег Игоревич"].applied_on == date(2021, 9, 20)  # no application date: entry date
    belov = mentors["Белов Игорь Петрович"]
    assert (belov.status, belov.organization_id, belov.profile.employer) == ("pending", ids["college"], "АО «Амурский завод»")
    mentees = {m.person.full_name: m for m in _all(registry, Mentee)}
    assert mentees["Орлов Денис"].birth_year == 2009
    assert mentees["Ким Алина"].person.birth_date == date(2008, 3, 4)
    pairs = sorted(_all(registry, Pair), key=lambda p: p.started_on)
    assert [(p.form, p.status, len(p.mentees)) for p in pairs] == [
        ("teacher_teacher", "active", 1), ("pupil_pupil", "completed", 2)]
    program = _all(registry, Program)[0]
    assert pairs[1].program_id == program.id
    assert [o["title"] for o in program.outputs.values()] == ["Метеостанция на крыше школы"]
    # Every event of the import names who recorded it: the regional institute's import.
    event = list(registry.history(korolyova.id))[-1]
    assert event.meta.user_id == "import" and event.meta.command_id.startswith("import:")

    position = registry.position()
    for path, rows in zip(files, expected_rows, strict=True):
        again = import_file(registry, path)
        assert again.ok and (again.recorded_rows, again.present_rows, again.events) == (0, rows, 0), path.name
    assert registry.position() == position


def test_a_dry_run_checks_everything_and_records_nothing(memory_registry, tmp_path: Path) -> None:
    seed(memory_registry)
    path = _files(memory_registry, tmp_path)[2]  # mentors
    position = memory_registry.position()
    report = import_file(memory_registry, path, dry_run=True)
    assert report.ok and report.dry_run and report.recorded_rows == 3 and report.events > 0
    assert memory_registry.position() == position
    assert imported(memory_registry, path).events == report.events


def _all(registry, cls):  # type: ignore[no-untyped-def]
    from ops.log_transfer import notifications

    found = {n.originator_id for n in notifications(registry) if n.topic.startswith(f"reestr:{cls.__name__}.")}
    return [registry.get(cls, oid) for oid in found]
