"""Peak memory of importing a big workbook: `python -m ops.bench.workbook_memory [ROWS] [--write]`.

Writes a workbook of ROWS mentees (50,000 by default) into a fresh SQLite registry's folder with
one school, then imports it in a child process (a dry run unless `--write`) and prints the
child's peak resident memory (ru_maxrss). A figure to read, not a timed test: the issue asks for
a 50,000-row workbook under 250 MiB.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

SCHOOL = "МБОУ СОШ № 1"
HEADER = ["№ п/п", "Ф.И.О.", "Категория", "ОУ", "Дата рожд.", "Дата включения в программу наставничества"]


def write_workbook(path: Path, rows: int) -> None:
    """A workbook written the streaming way (openpyxl write-only), headed as officials head it."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Лист1")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([i + 1, f"Ученикова Анна Номер{i}", "обучающийся", SCHOOL,
                      f"{1 + i % 28:02d}.0{1 + i % 9}.{2006 + i % 6}", "01.09.2021"])
    workbook.save(path)


def seed(url: str) -> None:
    from ops.storage import open_registry
    from registry import commands as c
    from registry.values import Actor, Role

    admin = Actor(user_id="bench", role=Role.ADMIN)
    registry = open_registry(url, clock=lambda: date(2023, 6, 1))
    try:
        municipality = registry.execute(c.RegisterMunicipality(name="Район", region="Край"), admin).aggregate_id
        registry.execute(c.RegisterOrganization(name=SCHOOL, kind="school", municipality_id=municipality,
                                                registered_on=date(2019, 9, 1)), admin)
    finally:
        registry.close()


def _child(url: str, path: str, write: bool) -> None:
    from ops.importing import import_file
    from ops.storage import open_registry

    registry = open_registry(url, clock=lambda: date(2023, 6, 1))
    started = time.perf_counter()
    report = import_file(registry, Path(path), dry_run=not write, write_errors=False)
    registry.close()
    print(f"rows={report.rows} errors={len(report.errors)} recorded_rows={report.recorded_rows} "
          f"seconds={time.perf_counter() - started:.1f}")
    for issue in report.errors[:5]:
        print(" ", issue)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2], argv[3] == "write")
        return
    rows = int(next((a for a in argv if a.isdigit()), "50000"))
    write = "--write" in argv
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "наставляемые.xlsx"
        write_workbook(path, rows)
        url = f"sqlite:///{folder}/reestr.sqlite3"
        seed(url)
        print(f"workbook: {rows} rows, {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "ops.bench.workbook_memory", "--child", url, str(path),
                        "write" if write else "dry"], check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of the import ({'write' if write else 'dry run'}): {peak:.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1:])
