"""A big file — more rows than one chunk of the dry run's log copy — with progress reported, and
imported again through the CLI: nothing recorded the second time, the summary says so."""

from __future__ import annotations

import re
from pathlib import Path

from support.importing import SCHOOL, csv_file, imported, invoke, seed
from support.world import TODAY

from ops.log_transfer import CHUNK
from ops.storage import open_registry

ROWS = 1200


def test_a_big_file_goes_in_once_with_progress(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    registry = open_registry(url, clock=lambda: TODAY)
    seed(registry)
    rows = [[f"Ученик Номер {i}", "обучающийся", SCHOOL, str(2005 + i % 9), "01.09.2021"] for i in range(ROWS)]
    path = csv_file(tmp_path / "наставляемые.csv",
                    ["ФИО", "Категория", "Организация", "Год рождения", "Дата включения в программу"],
                    rows, encoding="cp1251", delimiter=";", titles=["База наставляемых на 01.09.2021"])
    calls: list[tuple[str, int, int]] = []
    report = imported(registry, path, progress=lambda phase, done, total: calls.append((phase, done, total)))
    assert (report.rows, report.recorded_rows, report.events) == (ROWS, ROWS, 2 * ROWS)
    assert report.events > CHUNK  # the next import's dry run copies the log in several chunks
    assert calls[-1] == ("write", ROWS, ROWS) and ("check", ROWS, ROWS) in calls
    assert len(calls) > 2 * (ROWS // 100)
    position = registry.position()
    registry.close()

    result = invoke(["import", str(path), "--kind", "наставляемые"], {"REESTR_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert f"строк с данными: {ROWS}" in result.output
    assert re.search(rf"Записано строк: 0, событий: 0; уже были в реестре \(повторный импорт\): {ROWS}; "
                     r"пропущено: 0; за \d+\.\d с\.", result.output), result.output
    registry = open_registry(url)
    assert registry.position() == position
    registry.close()
