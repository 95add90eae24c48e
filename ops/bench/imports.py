"""Bulk import through the import path (`reestr import`'s `import_file`) beside a raw insert.

A fresh store of the same kind gets the region's units (20 municipalities, 400 organizations),
then two generated CSV files go through `import_file`: N mentors (applied, approved, consented)
and N mentees. The import is all-or-nothing: it reads and resolves every row, rehearses the whole
file on an in-memory copy of the log, then writes; the figure is the whole of it, with the write
phase alone beside it. The raw baseline inserts the very rows the import stored into a bare table.
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path
from typing import Any

from ops.bench import baselines
from ops.bench.memory import rate, ratio
from ops.bench.tiers import _person

MENTOR_HEADER = ["ФИО", "Организация", "Должность", "Тип наставника", "Формы наставничества",
                 "Предметы, компетенции", "Дата заявки", "Дата вхождения в реестр", "Согласие на публикацию"]
MENTEE_HEADER = ["ФИО", "Категория", "Организация", "Год или дата рождения", "Дата включения в программу"]


def write_files(root: Path, rows: int, organizations: int, seed: int) -> tuple[Path, Path]:
    """Two CSV files (as a school's spreadsheet would be saved) of `rows` mentors and mentees."""
    rng = random.Random(seed)
    mentors, mentees = root / "bench-mentors.csv", root / "bench-mentees.csv"
    taken: set[tuple[int, str]] = set()

    def name(org: int, child: bool) -> str:
        while True:  # one person per name and organization: the import's natural key
            full = _person(rng, rng.random() < 0.6, child)
            if (org, full) not in taken:
                taken.add((org, full))
                return full

    with mentors.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(MENTOR_HEADER)
        for i in range(rows):
            org = i % organizations
            w.writerow([name(org, False), f"Организация № {org + 1}", "Учитель", "teacher", "teacher_teacher",
                        "Математика", "15.03.2021", "25.03.2021", "да"])
    with mentees.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(MENTEE_HEADER)
        for i in range(rows):
            org = i % organizations
            w.writerow([name(org, True), "ученик", f"Организация № {org + 1}",
                        str(rng.randint(2006, 2012)), "01.09.2021"])
    return mentors, mentees


def bench_import(registry: Any, kind: str, raw_target: Any, read_target: Any, table: str,
                 root: Path, rows: int, organizations: int, seed: int) -> dict[str, Any]:
    """Import both files into `registry` (its units loaded); figures and the raw baseline."""
    from ops.importing.run import import_file

    mentors, mentees = write_files(root, rows, organizations, seed)
    first = registry.position() + 1
    figures: dict[str, Any] = {"rows_per_file": rows}
    events = 0
    seconds = 0.0
    for label, path in (("mentors", mentors), ("mentees", mentees)):
        started = time.perf_counter()
        report = import_file(registry, path, write_errors=False)
        took = time.perf_counter() - started
        if not report.ok:
            raise RuntimeError(f"bench import of {label} refused: {report.errors[:3]}")
        figures[label] = {"rows": report.rows, "events": report.events, "seconds": round(took, 3),
                          "events_per_s": rate(report.events, took), "rows_per_s": rate(report.rows, took)}
        events += report.events
        seconds += took
    batches = baselines.stored_batches(kind, read_target, table, first)
    if kind == "sqlite":
        raw_seconds, raw_rows, _ = baselines.raw_insert_sqlite(str(root / "raw-import.sqlite3"), batches)
    else:
        raw_seconds, raw_rows, _ = baselines.raw_insert_postgres(raw_target, batches)
    app_rate, raw_rate = rate(events, seconds), rate(raw_rows, raw_seconds)
    figures.update(events=events, seconds=round(seconds, 3), events_per_s=app_rate,
                   raw_rows=raw_rows, raw_seconds=round(raw_seconds, 4), raw_events_per_s=raw_rate,
                   ratio_app_to_raw=ratio(app_rate, raw_rate))
    return figures
