"""Reproducible reports: a manifest states kind, parameters, position, Merkle root, version,
generated-at and the output's sha256; `report reproduce` recomputes the report at that position
and says identical (exit 0) or not (exit 1), byte for byte."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from support.stores import STORES, fresh_registry
from support.world import ADMIN, person
from support.world.indicators import build_scenario
from typer.testing import CliRunner

from ops.cli import app as reestr
from projections.manifest import (
    MANIFEST_FORMAT,
    build_manifest,
    dynamics_parameters,
    indicator_parameters,
    render_report,
    reproduce,
    sha256_hex,
    software_version,
    tree_at,
)
from projections.transparency.store import TransparencyLog
from registry import commands as c


def _more_events(registry, ids) -> None:  # type: ignore[no-untyped-def]
    """A 2021 pair for a new pupil of S1: the 2021 indicator of the report changes."""
    mentee = registry.execute(c.RegisterMentee(organization_id=ids["S1"], category="pupil", person=person("Новый"),
                                               birth_year=2008, registered_on=date(2021, 1, 1)), ADMIN).aggregate_id
    registry.execute(c.FormPair(organization_id=ids["S1"], mentor_id=ids["C"], mentee_ids=[mentee],
                                form="pupil_pupil", started_on=date(2021, 3, 1)), ADMIN)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):  # type: ignore[no-untyped-def]
    directory = tmp_path_factory.mktemp("manifest")
    with fresh_registry("sqlite", directory) as registry:
        ids = build_scenario(registry)
        url = f"sqlite:///{next(directory.glob('*.sqlite3'))}"
        yield registry, ids, url


def _said(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.output.split())


def test_manifest_reproduce_identical_after_more_events_and_tamper_detected(scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    registry, ids, url = scenario
    env = {"REESTR_DATABASE_URL": url, "REESTR_LOG_LEVEL": "warning"}
    runner = CliRunner()
    old_position = registry.position()
    outputs = {}
    for fmt in ("json", "xlsx", "html"):
        out, man = tmp_path / f"old.{fmt}", tmp_path / f"old.{fmt}.manifest.json"
        result = runner.invoke(reestr, ["report", "dynamics", "-o", str(out), "--manifest", str(man)], env=env)
        assert result.exit_code == 0, result.output
        manifest = json.loads(man.read_text())
        assert manifest["manifest"] == MANIFEST_FORMAT and manifest["report"] == "dynamics"
        assert manifest["position"] == old_position
        assert manifest["parameters"]["from"] == "2020" and manifest["parameters"]["format"] == fmt
        assert manifest["output"] == {"file": out.name, "bytes": out.stat().st_size,
                                      "sha256": sha256_hex(out.read_bytes())}
        assert manifest["software_version"] == software_version()
        assert manifest["generated_at"].endswith("Z")
        log = TransparencyLog(registry)
        size = manifest["tree_size"]
        assert log.position_of_size(size) == old_position
        assert manifest["merkle_root"] == log.root(size).hex()
        outputs[fmt] = (out, man)

    _more_events(registry, ids)
    assert registry.position() > old_position

    for fmt, (out, man) in outputs.items():
        again = tmp_path / f"again.{fmt}"
        result = runner.invoke(reestr, ["report", "reproduce", str(man), "--output", str(again)], env=env)
        assert result.exit_code == 0, result.output
        assert "Идентичен" in _said(result)
        assert again.read_bytes() == out.read_bytes()

    # A report at the new position differs, and so does its manifest's root.
    new_out, new_man = tmp_path / "new.json", tmp_path / "new.manifest.json"
    result = runner.invoke(reestr, ["report", "dynamics", "-o", str(new_out), "--manifest", str(new_man)], env=env)
    assert result.exit_code == 0, result.output
    new_manifest = json.loads(new_man.read_text())
    old_manifest = json.loads(outputs["json"][1].read_text())
    assert new_manifest["position"] == registry.position()
    assert new_manifest["output"]["sha256"] != old_manifest["output"]["sha256"]
    assert new_manifest["merkle_root"] != old_manifest["merkle_root"]
    assert new_out.read_bytes() != outputs["json"][0].read_bytes()

    # A tampered output file: not identical, exit 1.
    out, man = outputs["json"]
    original = out.read_bytes()
    out.write_bytes(original.replace(b'"position":', b'"position":1', 1))  # either JSON layout
    result = runner.invoke(reestr, ["report", "reproduce", str(man)], env=env)
    assert result.exit_code == 1, result.output
    assert "Не идентичен" in _said(result) and "изменён" in _said(result)
    out.write_bytes(original)

    # A manifest whose sha256 does not match the report: not identical, exit 1.
    doctored = dict(old_manifest, output=dict(old_manifest["output"], sha256="0" * 64))
    bad = tmp_path / "doctored.manifest.json"
    bad.write_text(json.dumps(doctored))
    result = runner.invoke(reestr, ["report", "reproduce", str(bad)], env=env)
    assert result.exit_code == 1 and "Не идентичен" in _said(result)

    # A manifest stating another root (a different log): not identical.
    forged = dict(old_manifest, merkle_root="ab" * 32)
    forged_path = tmp_path / "forged.manifest.json"
    forged_path.write_text(json.dumps(forged))
    result = runner.invoke(reestr, ["report", "reproduce", str(forged_path)], env=env)
    assert result.exit_code == 1 and "корень дерева" in _said(result)

    # Not a manifest, or a position not recorded yet: a usage error (2).
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    assert runner.invoke(reestr, ["report", "reproduce", str(junk)], env=env).exit_code == 2
    future = tmp_path / "future.manifest.json"
    future.write_text(json.dumps(dict(old_manifest, position=10**6)))
    assert runner.invoke(reestr, ["report", "reproduce", str(future)], env=env).exit_code == 2


def test_indicator_table_with_manifest(scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, url = scenario
    env = {"REESTR_DATABASE_URL": url, "REESTR_LOG_LEVEL": "warning"}
    runner = CliRunner()
    out, man = tmp_path / "ind.csv", tmp_path / "ind.manifest.json"
    result = runner.invoke(reestr, ["report", "indicators", "--period", "2021", "--position", "60", "-o", str(out),
                                 "--manifest", str(man)], env=env)
    assert result.exit_code == 0, result.output
    manifest = json.loads(man.read_text())
    assert manifest["report"] == "indicators" and manifest["position"] == 60
    assert manifest["parameters"] == {"period": "2021", "school_year": False, "unit": None, "format": "csv"}
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("position,period,indicator")
    assert runner.invoke(reestr, ["report", "reproduce", str(man)], env=env).exit_code == 0
    out.write_bytes(out.read_bytes() + b"x")
    assert runner.invoke(reestr, ["report", "reproduce", str(man)], env=env).exit_code == 1
    assert runner.invoke(reestr, ["report", "indicators", "-o", str(tmp_path / "t.xlsx")], env=env).exit_code == 2


@pytest.mark.parametrize("kind", STORES)
def test_reproduce_in_process_on_each_store(kind: str, tmp_path: Path) -> None:
    with fresh_registry(kind, tmp_path) as registry:
        ids = build_scenario(registry)
        position = registry.position()
        parameters = dynamics_parameters(from_period="2020", to_period="2021", school_year=False,
                                         unit=f"municipality:{ids['M1']}", fmt="json")
        data = render_report(registry, "dynamics", parameters, position)
        out = tmp_path / "r.json"
        out.write_bytes(data)
        manifest = build_manifest(registry, kind="dynamics", parameters=parameters, position=position,
                                  output=out, data=data, manifest_path=tmp_path / "r.manifest.json")
        size, root = tree_at(registry, position)
        assert (manifest["tree_size"], manifest["merkle_root"]) == (size, root)
        table = indicator_parameters(period="2020", school_year=False, unit=None, fmt="json")
        table_data = render_report(registry, "indicators", table, position)
        _more_events(registry, ids)
        result = reproduce(registry, manifest, tmp_path)
        assert result.identical, result.problems
        assert result.data == data
        assert render_report(registry, "indicators", table, position) == table_data
        assert render_report(registry, "dynamics", parameters, registry.position()) != data
        assert tree_at(registry, position) == (size, root)

        # A manifest written when JSON reports were indented states no layout: reproduced indented.
        assert parameters["json_layout"] == "compact" and data.startswith(b'{"report":"dynamics",')
        legacy = {k: v for k, v in parameters.items() if k != "json_layout"}
        indented = render_report(registry, "dynamics", legacy, position)
        assert indented.startswith(b'{\n  "report": "dynamics",') and json.loads(indented) == json.loads(data)
        old = tmp_path / "old.json"
        old.write_bytes(indented)
        legacy_manifest = dict(manifest, parameters=legacy,
                               output={"file": old.name, "bytes": len(indented), "sha256": sha256_hex(indented)})
        result = reproduce(registry, legacy_manifest, tmp_path)
        assert result.identical, result.problems
