"""Report manifests: what a report was computed from, so anyone can recompute it byte for byte.

A manifest (JSON, written beside the report) states the report kind, its parameters, the log
position it was computed at, the Merkle root of the transparency log at that position (so a
later reproduction notices if the log it reads is not the log the report was computed from),
the software version, when it was generated, and the sha256 of the output file.

`reproduce(registry, manifest, directory)` recomputes the report at the manifest's position with
the manifest's parameters and compares: the log's root at that position, the recomputed bytes'
sha256, and the output file beside the manifest (if it is there). Identical means all three
agree with the manifest; anything else is "not identical", with the reasons in Russian.

Report kinds:

* ``dynamics``: the dynamics report (`projections.report.dynamics_report`), in any format,
  optionally computed as known at a moment, optionally with the as-known values side by side
  (`projections.as_known`);
* ``indicators``: the indicator table of one period (every indicator, every unit), json or csv;
* ``monitoring_round``: a closed monitoring round's report, at its closing position.

Both are deterministic: stable ordering, no clock inside the body. ``generated_at`` lives in the
manifest only.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from projections.facts import Facts, Unit, load_facts
from projections.formats.json_format import COMPACT, INDENT2
from projections.periods import Period
from projections.report import ALL_UNITS, CHANGE_BASES, COMPARABLE

MANIFEST_FORMAT = "reestr-report-manifest/1"
KINDS = ("dynamics", "indicators", "monitoring_round")
INDICATOR_TABLE_FORMATS = ("json", "csv")


class ManifestError(ValueError):
    """A manifest that cannot be read or used (the message is in Russian)."""


def software_version() -> str:
    try:
        return importlib.metadata.version("reestr")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the transparency log at a position --------------------------------------------------------


def tree_at(registry: Any, position: int) -> tuple[int, str]:
    """(tree size, hex Merkle root) of the transparency log holding every record up to `position`.

    Leaf `i` is the `i`-th stored record in log order, so the tree size at a position is the
    number of leaves whose position is at most it (positions may have gaps, leaf indexes not).
    """
    from projections.transparency.store import TransparencyLog

    log = TransparencyLog(registry)  # every write appended its leaves: the tree covers the log
    with log.transaction(write=False) as tx:
        row = tx.one("SELECT COUNT(*) FROM {tl_leaves} WHERE position <= %s", (position,))
    size = int(row[0]) if row else 0
    return size, log.root(size).hex()


# -- computing reports -----------------------------------------------------------------------------


def _periods(parameters: dict[str, Any]) -> tuple[Period, Period]:
    school_year = bool(parameters.get("school_year"))
    return (
        Period.parse(str(parameters["from"]), school_year=school_year),
        Period.parse(str(parameters["to"]), school_year=school_year),
    )


def _scope(facts: Facts, unit: str | None) -> Unit | None:
    return facts.find_unit(unit) if unit else None


def _facts_at(registry: Any, position: int, periods: list[Period]) -> Facts:
    from projections.projector import project_until

    store = project_until(registry, position)
    try:
        return load_facts(store, periods)
    finally:
        store.close()


def dynamics_parameters(
    *,
    from_period: str,
    to_period: str,
    school_year: bool,
    unit: str | None,
    fmt: str,
    known_at: str | None = None,
    compare_known_at: str | None = None,
    compare_position: int | None = None,
) -> dict[str, Any]:
    """The parameters of a dynamics report, as a manifest states them (stable keys).

    A JSON report states its layout (`json_layout`: compact, as `render` writes it now); a
    manifest without it was written when reports were indented, and is reproduced indented.
    Likewise `change_basis` ("comparable"): a manifest without it was written when changes were
    taken over whole units, and is reproduced so."""
    parameters: dict[str, Any] = {
        "from": from_period,
        "to": to_period,
        "school_year": school_year,
        "unit": unit,
        "format": fmt,
        "known_at": known_at,
        "compare_known_at": compare_known_at,
        "compare_position": compare_position,
        "change_basis": COMPARABLE,
    }
    if fmt == "json":
        parameters["json_layout"] = COMPACT
    return parameters


def dynamics_report_at(
    registry: Any, parameters: dict[str, Any], position: int, *, facts: Facts | None = None
) -> dict[str, Any]:
    """The dynamics report dict at a log position (`facts`: already loaded at that position)."""
    from projections.as_known import as_known_section, parse_moment
    from projections.report import dynamics_report

    a, b = _periods(parameters)
    basis = parameters.get("change_basis", ALL_UNITS)  # none stated: a manifest of whole-unit changes
    if basis not in CHANGE_BASES:
        raise ManifestError(f"Неизвестное основание сравнения «{basis}»: нужно одно из {', '.join(CHANGE_BASES)}")
    if facts is None:
        facts = _facts_at(registry, position, [a, b])
    report = dynamics_report(facts, a, b, scope=_scope(facts, parameters.get("unit")), change_basis=basis)
    if parameters.get("known_at"):
        report["known_at"] = _canonical_moment(parameters["known_at"])
    if parameters.get("compare_known_at"):
        moment = parse_moment(parameters["compare_known_at"])
        known_position = parameters.get("compare_position")
        if known_position is None:
            from projections.as_known import known_at_position

            known_position = known_at_position(registry, moment, upto=position)
        known_facts = _facts_at(registry, int(known_position), [a, b])
        known = dynamics_report(
            known_facts, a, b, scope=_scope(known_facts, parameters.get("unit")), change_basis=basis
        )
        report["as_known"] = as_known_section(registry, known, report, moment, [a, b])
    return report


def _canonical_moment(text: str) -> str:
    from projections.as_known import moment_text, parse_moment

    return moment_text(parse_moment(text))


def indicator_parameters(*, period: str, school_year: bool, unit: str | None, fmt: str) -> dict[str, Any]:
    return {"period": period, "school_year": school_year, "unit": unit, "format": fmt}


def indicator_table(facts: Facts, period: Period, *, scope: Unit | None = None) -> dict[str, Any]:
    """Every indicator for every unit of the scope in one period (stable order, no clock)."""
    from projections.indicators import INDICATORS, IndicatorEngine
    from projections.report import report_units

    engine = IndicatorEngine(facts)
    units = report_units(facts, scope)
    return {
        "report": "indicators",
        "position": facts.position,
        "period": period.to_dict(),
        "scope": None if scope is None else {"kind": scope.kind, "id": scope.id, "name": scope.name},
        "indicators": [
            {
                "id": definition.id,
                "title": definition.title,
                "rows": [
                    {"unit_kind": unit.kind, "unit_id": unit.id, "unit_name": unit.name,
                     **engine.value(definition.id, unit, period).to_dict()}
                    for unit in units
                ],
            }
            for definition in INDICATORS.values()
        ],
    }


def render_indicator_table(table: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(table, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt != "csv":
        raise ValueError(f"Таблица показателей пишется только в {', '.join(INDICATOR_TABLE_FORMATS)}")
    buffer = io.StringIO()
    names = ["position", "period", "indicator", "unit_kind", "unit_id", "unit_name", "numerator",
             "denominator", "share", "target", "achieved", "status", "numerator_without_contingent"]
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    for indicator in table["indicators"]:
        for row in indicator["rows"]:
            writer.writerow({
                "position": table["position"], "period": table["period"]["key"], "indicator": indicator["id"],
                **{n: _cell(row[n]) for n in names[3:]},
            })
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render_report(registry: Any, kind: str, parameters: dict[str, Any], position: int) -> bytes:
    """The bytes of a report of `kind` with `parameters` at log `position`."""
    if kind == "dynamics":
        from projections.formats import render

        layout = parameters.get("json_layout", INDENT2)  # none stated: a manifest of indented reports
        return render(dynamics_report_at(registry, parameters, position), parameters["format"], json_layout=layout)
    if kind == "indicators":
        period = Period.parse(str(parameters["period"]), school_year=bool(parameters.get("school_year")))
        facts = _facts_at(registry, position, [period])
        table = indicator_table(facts, period, scope=_scope(facts, parameters.get("unit")))
        return render_indicator_table(table, parameters["format"])
    if kind == "monitoring_round":  # a closed round's frozen report (projections/rounds.py)
        from projections.rounds import round_report_bytes

        return round_report_bytes(registry, parameters, position)
    raise ManifestError(f"Неизвестный вид отчёта «{kind}»: нужен один из {', '.join(KINDS)}")


# -- manifests -------------------------------------------------------------------------------------


def build_manifest(
    registry: Any,
    *,
    kind: str,
    parameters: dict[str, Any],
    position: int,
    output: Path,
    data: bytes,
    manifest_path: Path | None = None,
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """The manifest of a report just written to `output` (its bytes: `data`)."""
    size, root = tree_at(registry, position)
    moment = (generated_at or datetime.now(UTC)).astimezone(UTC)
    file_name = str(output)
    if manifest_path is not None:
        try:  # beside the manifest: a relative name, so both can be moved together
            file_name = str(output.resolve().relative_to(manifest_path.resolve().parent))
        except ValueError:
            file_name = str(output.resolve())
    return {
        "manifest": MANIFEST_FORMAT,
        "report": kind,
        "parameters": parameters,
        "position": position,
        "tree_size": size,
        "merkle_root": root,
        "software_version": software_version(),
        "generated_at": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "output": {"file": file_name, "bytes": len(data), "sha256": sha256_hex(data)},
    }


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ManifestError(f"Манифест {path} не прочитан: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("manifest") != MANIFEST_FORMAT:
        raise ManifestError(f"{path} — не манифест отчёта ({MANIFEST_FORMAT})")
    for key in ("report", "parameters", "position", "merkle_root", "output"):
        if key not in manifest:
            raise ManifestError(f"В манифесте {path} нет поля «{key}»")
    if manifest["report"] not in KINDS:
        raise ManifestError(f"Неизвестный вид отчёта «{manifest['report']}»")
    return manifest


@dataclass
class Reproduction:
    """The outcome of recomputing a report from its manifest."""

    identical: bool
    data: bytes
    sha256: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def reproduce(registry: Any, manifest: dict[str, Any], directory: Path | None = None) -> Reproduction:
    """Recompute the report of `manifest` and compare it with the manifest and the output file."""
    position = int(manifest["position"])
    head = registry.recorder.max_notification_id() or 0
    if position > head:
        raise ManifestError(f"Позиция {position} ещё не записана (журнал на позиции {head})")
    problems: list[str] = []
    notes: list[str] = []
    size, root = tree_at(registry, position)
    if root != manifest["merkle_root"] or ("tree_size" in manifest and size != manifest["tree_size"]):
        problems.append(
            f"Журнал событий до позиции {position} не тот, по которому составлен отчёт: корень дерева "
            f"{root} (листьев {size}), в манифесте {manifest['merkle_root']} "
            f"(листьев {manifest.get('tree_size')})"
        )
    data = render_report(registry, manifest["report"], manifest["parameters"], position)
    digest = sha256_hex(data)
    expected = manifest["output"].get("sha256")
    if digest != expected:
        problems.append(f"Пересчитанный отчёт отличается: sha256 {digest}, в манифесте {expected}")
    name = manifest["output"].get("file")
    if name:
        path = Path(name)
        if not path.is_absolute() and directory is not None:
            path = directory / path
        if path.exists():
            on_disk = sha256_hex(path.read_bytes())
            if on_disk != expected:
                problems.append(f"Файл отчёта {path} изменён: sha256 {on_disk}, в манифесте {expected}")
            elif on_disk != digest:
                problems.append(f"Файл отчёта {path} не совпадает с пересчитанным")
        else:
            notes.append(f"Файла отчёта {path} рядом нет: сравнение только с sha256 из манифеста")
    version = manifest.get("software_version")
    if version and version != software_version():
        notes.append(f"Отчёт составлен версией {version}, пересчитан версией {software_version()}")
    return Reproduction(identical=not problems, data=data, sha256=digest, problems=problems, notes=notes)
