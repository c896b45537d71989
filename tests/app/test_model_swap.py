"""The API serves the promoted model, swaps to a newly promoted one without a restart or a failed request,
and says on every matches response which version produced it."""

import shutil
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from graph.apikeys import create_key
from models.artifacts import promote
from models.train import run

OPEN_NEED_CUSTOMER = """
MATCH (c:Customer)-[:HAS_NEED]->(n:Need {status: 'open'})
WHERE c.consent = 'opt_in' AND c.vetted AND c.risk_rating <> 'high'
RETURN c.customer_id AS id ORDER BY id LIMIT 1
"""


def test_new_model_is_served_without_restart_or_failed_request(sample_bank, settings, tmp_path: Path) -> None:
    mine = settings.model_copy(update={"artifacts_dir": tmp_path / "artifacts"})
    first = run(sample_bank, settings=mine, epochs=2, seed=0, force=True, progress=False, text=False).version
    customer_id = sample_bank.execute_query(OPEN_NEED_CUSTOMER).records[0]["id"]
    h = {"Authorization": f"Bearer {create_key(sample_bank, role='admin')[1]}"}
    with TestClient(create_app(mine)) as client:
        assert client.get("/ready", headers=h).json()["model_version"] == first
        # the base graph is built in the background, so the first cold start needs no full graph read
        assert wait_for(lambda: client.get("/ready", headers=h).json()["model_warm"]), "the model never got warm"
        body = client.get(f"/customers/{customer_id}/matches", headers=h).json()
        assert body["source"] == "inductive_model" and body["model_version"] == first
        assert all(m["model_version"] == first for m in body["matches"])

        second = first + "-b"
        shutil.copytree(mine.artifacts_dir / first, mine.artifacts_dir / second)
        promote(mine, second)
        seen, statuses = set(), []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and second not in seen:
            r = client.get(f"/customers/{customer_id}/matches", headers=h)
            statuses.append(r.status_code)
            seen.add(r.json()["model_version"])
            time.sleep(0.05)
        assert set(statuses) == {200}
        assert second in seen and seen <= {first, second}
        ready = client.get("/ready", headers=h).json()
        assert ready["model_version"] == second and ready["model_warm"], "a swapped-in model arrives warm"


def wait_for(condition, seconds: float = 30) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
