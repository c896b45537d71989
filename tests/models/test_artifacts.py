"""Artifacts: promotion only when better (or forced), atomic `current.json`, erasure leaves no trace."""

import json
import threading

import pytest

from models import ModelError, artifacts
from models.serve import load_current
from models.train import TrainConfig, run
from tests.models import tinybank


def test_promotion_rules(db, settings, tmp_path):
    s = tinybank.scratch_settings(settings, tmp_path)
    tinybank.build(db, customers=60, referrals=240)
    kw = {"settings": s, "progress": False, "text": False}

    first = run(db, config=TrainConfig(lr=0.0, epochs=2), **kw)
    assert first.promoted and first.reason == "no current model"
    good = run(db, config=TrainConfig(epochs=40), seed=0, **kw)
    assert good.promoted, good.reason
    assert good.metrics["current_val"]["version"] == first.version and good.metrics["current_val"]["rescored"]
    worse = run(db, config=TrainConfig(lr=0.0, epochs=2), **kw)
    assert not worse.promoted and "does not beat" in worse.reason
    assert artifacts.current_version(s) == good.version
    forced = run(db, config=TrainConfig(lr=0.0, epochs=2), force=True, **kw)
    assert forced.promoted and forced.reason.startswith("forced")
    assert artifacts.current_version(s) == forced.version

    folder = forced.artifact_dir
    assert {p.name for p in folder.iterdir()} == set(artifacts.FILES)
    config = json.loads((folder / "config.json").read_text())
    assert config["features"]["text"] is False and config["model"]["lr"] == 0.0
    assert json.loads((folder / "snapshot.json").read_text())["snapshot_id"]
    assert load_current(s).version == forced.version
    with pytest.raises(ModelError):
        artifacts.promote(s, "no-such-version")


def test_current_json_is_replaced_atomically(settings, tmp_path):
    s = tinybank.scratch_settings(settings, tmp_path)
    for v in ("v1", "v2"):
        folder = s.artifacts_dir / v
        folder.mkdir(parents=True)
        for name in artifacts.FILES:
            (folder / name).write_text("{}")
    artifacts.promote(s, "v1")
    seen: set = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(artifacts.current_version(s))

    reader = threading.Thread(target=read)
    reader.start()
    for i in range(300):
        artifacts.promote(s, "v2" if i % 2 else "v1")
    stop.set()
    reader.join()
    assert seen <= {"v1", "v2"}, seen  # never None, never a half-written file
    assert sorted(p.name for p in s.artifacts_dir.iterdir()) == ["current.json", "v1", "v2"]


def test_scrub_customer_leaves_no_trace(db, settings, tmp_path):
    s = tinybank.scratch_settings(settings, tmp_path)
    tinybank.build(db, customers=24, referrals=80)
    canary = "CANARY-7f3e"
    tinybank.add_customer(db, canary, needs=["accounting"], caps=[("logistics", 4.0)])
    db.execute_query("MATCH (n:Need {need_id: $id}) SET n.description = 'Canary Ltd needs a payroll bureau'",
                     id=f"{canary}-n0")
    result = run(db, settings=s, config=TrainConfig(epochs=2), progress=False, text=True)
    id_map = json.loads((result.artifact_dir / "id_map.json").read_text())
    assert canary in id_map["customer"] and f"{canary}-n0" in id_map["need"]
    vectors_before = len(list(s.var_dir.rglob("*.npy")))

    assert artifacts.scrub_customer(s, canary) >= 2  # the id map and at least one cached vector
    for root in (s.artifacts_dir, s.var_dir):
        for path in root.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert canary.encode() not in data and b"Canary Ltd" not in data, path
    id_map = json.loads((result.artifact_dir / "id_map.json").read_text())
    assert len(id_map["customer"]) == 24 and len(id_map["owners"]["need"]) == len(id_map["need"])
    assert len(list(s.var_dir.rglob("*.npy"))) < vectors_before
    assert load_current(s).version == result.version  # the model still loads and serves
