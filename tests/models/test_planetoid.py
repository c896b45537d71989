"""The Cora paper check: the product's encoder/decoder under the GAE protocol, and `icrm bench planetoid`."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.planetoid import GaeConfig, PlanetoidError, load_planetoid, run_benchmark

# CI clones the repo beside ../shared; this workplace keeps it at /work/shared
CANDIDATES = [Path(__file__).resolve().parents[3] / "shared" / "data" / "planetoid", Path("/work/shared/data/planetoid")]
SHARED = next((p for p in CANDIDATES if (p / "Cora" / "raw").is_dir()), None)
# small and quick: the full-size run is `icrm bench planetoid`, reported in the notes
QUICK = GaeConfig(conv="gcn", hidden=128, out=64, epochs=80, patience=80, lr=0.01, weight_decay=0.0, mask_ratio=0.5)


@pytest.fixture
def cora_root(tmp_path: Path) -> Path:
    """A private copy of Cora's raw files (so nothing is ever written beside the shared ones)."""
    if SHARED is None:
        pytest.fail("Cora's raw files are missing: expected ../shared/data/planetoid/Cora/raw beside the clone")
    shutil.copytree(SHARED / "Cora" / "raw", tmp_path / "Cora" / "raw")
    return tmp_path


@pytest.mark.slow
def test_one_quick_seed_on_cora_reaches_a_sane_auc(cora_root: Path) -> None:
    report = run_benchmark(root=cora_root, name="Cora", seeds=1, config=QUICK)
    s = report.summary()
    assert report.nodes == 2708 and report.edges == 5278
    assert s["auc_mean"] > 0.85 and s["ap_mean"] > 0.85
    assert s["auc_std"] == 0.0


@pytest.mark.slow
def test_cli_json_has_auc_and_ap_and_does_not_write_into_a_read_only_root(cora_root: Path) -> None:
    from cli.main import app

    cora_root.joinpath("Cora").chmod(0o555)  # as the shared data folder is
    try:
        result = CliRunner().invoke(app, ["bench", "planetoid", "--root", str(cora_root), "--name", "cora",
                                          "--seeds", "1", "--epochs", "2", "--json"])
    finally:
        cora_root.joinpath("Cora").chmod(0o755)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["dataset"] == "Cora" and out["seeds"] == 1
    for key in ("auc_mean", "auc_std", "ap_mean", "ap_std"):
        assert 0.0 <= out[key] <= 1.0
    assert len(out["runs"]) == 1 and set(out["runs"][0]) >= {"seed", "test_auc", "test_ap"}
    assert not (cora_root / "Cora" / "processed").exists()


def test_a_folder_without_planetoid_files_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PlanetoidError, match="no Planetoid raw folder"):
        load_planetoid(tmp_path, "Cora")
    with pytest.raises(PlanetoidError, match="unknown Planetoid name"):
        load_planetoid(tmp_path, "NotAGraph")


def test_cli_reports_a_missing_folder_without_a_traceback(tmp_path: Path) -> None:
    from cli.main import app

    result = CliRunner().invoke(app, ["bench", "planetoid", "--root", str(tmp_path), "--name", "Cora"])
    assert result.exit_code == 1
    said = " ".join(result.output.split())  # rich wraps long lines
    assert "no Planetoid raw folder" in said and "Traceback" not in said
