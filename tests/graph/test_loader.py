"""`icrm load`: every planted bad row reported and nothing else, good rows all in, twice = no change, clear errors."""

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from graph.erasure import id_hash
from graph.load_report import read_report
from graph.loader import LoadError, load_folder
from graph.seed import generate_bank


def _counts(db) -> tuple[dict, int]:
    nodes = db.execute_query("MATCH (n) WHERE NOT n:_Migration RETURN labels(n)[0] AS label, count(*) AS c")[0]
    rels = db.execute_query("MATCH ()-[r]->() RETURN count(r) AS c")[0][0]["c"]
    return {r["label"]: r["c"] for r in nodes}, rels


def _fingerprint(db) -> list:
    """Every node's and relationship's properties (updated_at included): 'nothing changed' means this is equal."""
    nodes = db.execute_query("MATCH (n) WHERE NOT n:_Migration RETURN labels(n)[0] AS l, properties(n) AS p")[0]
    rels = db.execute_query("MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, elementId(a) AS a, "
                            "elementId(b) AS b")[0]
    return sorted(repr((r["l"], sorted(r["p"].items()))) for r in nodes) + \
        sorted(repr((r["t"], sorted(r["p"].items()))) for r in rels)


@pytest.fixture(scope="module")
def bad_bank(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("bad-bank")
    stats = generate_bank(customers=150, seed=3, out=out, bad_rows=True)
    return out, stats.planted


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_report_lists_every_planted_bad_row_and_nothing_else(db, bad_bank, tmp_path):
    folder, planted = bad_bank
    result = load_folder(db, folder=folder, report_path=tmp_path / "report.csv", batch_size=100)
    reported = read_report(result.report_path)
    assert sorted((r.file, r.line) for r in reported) == sorted((p["file"], p["line"]) for p in planted)
    by_place = {(r.file, r.line): r for r in reported}
    assert "risk_rating" in by_place[("customers.csv", 152)].reason
    assert "self-referral" in " ".join(r.reason for r in reported if r.file == "referrals.csv")
    assert all(r.reason for r in reported)
    # every other row is in the graph, and none of the rejected ones
    bad_ids = {p["id"] for p in planted}
    for name, key, cypher in (
            ("customers.csv", "customer_id", "MATCH (n:Customer) RETURN n.customer_id AS id"),
            ("needs.csv", "need_id", "MATCH (n:Need) RETURN n.need_id AS id"),
            ("capabilities.csv", "capability_id", "MATCH (n:Capability) RETURN n.capability_id AS id"),
            ("interactions.csv", "interaction_id", "MATCH (n:Interaction) RETURN n.interaction_id AS id")):
        good = {r[key] for r in _rows(folder / name)} - bad_ids
        stored = {r["id"] for r in db.execute_query(cypher)[0]}
        assert stored == good, name
        assert result.files[name].loaded == len(good)
    refs = {r["referral_id"] for r in _rows(folder / "referrals.csv")} - bad_ids
    stored = {r["id"] for r in db.execute_query("MATCH ()-[r:REFERRED]->() RETURN r.referral_id AS id")[0]}
    assert stored == refs
    assert result.rejected == len(planted)


def test_loading_twice_changes_nothing(db, bad_bank, tmp_path):
    folder, planted = bad_bank
    load_folder(db, folder=folder, report_path=tmp_path / "one.csv")
    before = _fingerprint(db)
    again = load_folder(db, folder=folder, report_path=tmp_path / "two.csv")
    assert _fingerprint(db) == before
    assert again.rejected == len(planted)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_missing_file_is_an_error_before_any_write(db, sample_bank_dir, tmp_path):
    folder = _copy(sample_bank_dir, tmp_path / "bank")
    (folder / "referrals.csv").unlink()
    with pytest.raises(LoadError, match="referrals.csv"):
        load_folder(db, folder=folder, report_path=tmp_path / "r.csv")
    assert _counts(db) == ({}, 0)


def test_bad_header_in_the_last_file_is_an_error_before_any_write(db, sample_bank_dir, tmp_path):
    folder = _copy(sample_bank_dir, tmp_path / "bank")
    text = (folder / "interactions.csv").read_text(encoding="utf-8").replace("interaction_id,", "interaction,", 1)
    (folder / "interactions.csv").write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match="interaction_id"):
        load_folder(db, folder=folder, report_path=tmp_path / "r.csv")
    assert _counts(db) == ({}, 0)


HOSTILE = ["O'Brien \"quoted\" `tick`", "'}) DETACH DELETE n //", "} MATCH (x) DETACH DELETE x", "🚀 emoji ünïcödé ‮rtl",
           "x" * 5000, "$name {name: 'x'}", "/* comment */ // line"]


def test_hostile_text_is_stored_verbatim(db, sample_bank_dir, tmp_path):
    folder = _copy(sample_bank_dir, tmp_path / "bank")
    with (folder / "interactions.csv").open("a", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        for i, text in enumerate(HOSTILE):
            out.writerow([f"IHOST{i}", "C0000000", "email", text, "2025-01-01T00:00:00Z"])
    result = load_folder(db, folder=folder, report_path=tmp_path / "r.csv")
    assert result.rejected == 0
    stored = dict(db.execute_query("MATCH (i:Interaction) WHERE i.interaction_id STARTS WITH 'IHOST' "
                                   "RETURN i.interaction_id AS id, i.text AS t")[0])
    assert [stored[f"IHOST{i}"] for i in range(len(HOSTILE))] == HOSTILE
    assert _counts(db)[0]["Customer"] == 120


def test_erased_customer_is_refused(db, sample_bank_dir, tmp_path):
    db.execute_query("CREATE (:Erasure {id_hash: $h, at: datetime()})", h=id_hash("C0000005"))
    result = load_folder(db, folder=sample_bank_dir, report_path=tmp_path / "r.csv")
    reported = read_report(result.report_path)
    assert reported and all("customer was erased" in r.reason for r in reported)
    assert ("customers.csv", 7) in {(r.file, r.line) for r in reported}  # C0000005 is on line 7
    stuck = db.execute_query("MATCH (c:Customer {customer_id: 'C0000005'}) RETURN count(c) AS n")[0][0]["n"]
    assert stuck == 0


def test_cli_exit_codes_and_json_summary(db, bad_bank, sample_bank_dir, tmp_path):
    runner = CliRunner()
    clean = runner.invoke(app, ["load", str(sample_bank_dir), "--json", "--report", str(tmp_path / "a.jsonl")])
    assert clean.exit_code == 0, clean.output
    summary = json.loads(clean.stdout)
    assert summary["total_rejected"] == 0 and summary["loaded"]["customers.csv"] == 120
    bad = runner.invoke(app, ["load", str(bad_bank[0]), "--json", "--report", str(tmp_path / "b.jsonl")])
    assert bad.exit_code == 2
    assert json.loads(bad.stdout)["total_rejected"] == len(bad_bank[1])
    assert len(read_report(tmp_path / "b.jsonl")) == len(bad_bank[1])
    missing = runner.invoke(app, ["load", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1
    assert "Traceback" not in missing.output and "is not a folder" in " ".join(missing.output.split())


def test_extra_columns_are_ignored_with_a_warning(db, sample_bank_dir, tmp_path):
    folder = _copy(sample_bank_dir, tmp_path / "bank")
    lines = (folder / "capabilities.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",internal_code"] + [line + ",X-1" for line in lines[1:]]
    (folder / "capabilities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load_folder(db, folder=folder, report_path=tmp_path / "r.csv")
    assert result.rejected == 0
    assert result.warnings == ["capabilities.csv: extra column(s) ignored: internal_code"]
    leaked = db.execute_query("MATCH (c:Capability) WHERE c.internal_code IS NOT NULL RETURN count(c) AS n")
    assert leaked[0][0]["n"] == 0
