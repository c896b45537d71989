"""`icrm demo`, the README's main job, end to end on a small bank (without the blocking server at the end)."""

import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_demo_loads_trains_suggests_and_prints_a_working_call(db, settings):
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "demo", "--customers", "150", "--seed", "3", "--epochs", "5", "--no-serve"],
        capture_output=True, text=True, env=env, timeout=600, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Traceback" not in out
    customers = db.execute_query("MATCH (c:Customer) RETURN count(c) AS n")[0][0]["n"]
    suggestions = db.execute_query("MATCH ()-[s:SUGGESTED_INTRO]->() RETURN count(s) AS n")[0][0]["n"]
    assert customers == 150
    assert suggestions > 0
    assert "curl -H 'Authorization: Bearer icrm_" in out
    assert "/matches?k=5" in out
