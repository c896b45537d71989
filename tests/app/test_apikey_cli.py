"""`icrm apikey create|revoke`: the key is printed once, only its hash is stored, and it works on the API."""

from typer.testing import CliRunner

from cli.main import app as cli
from graph.apikeys import hash_key


def test_create_prints_key_once_and_stores_only_its_hash(client, db) -> None:
    result = CliRunner().invoke(cli, ["apikey", "create", "--role", "relationship_manager", "--manager", "rm-5"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    stored = db.execute_query("MATCH (k:ApiKey) RETURN properties(k) AS p").records
    assert len(stored) == 1 and stored[0]["p"]["key_hash"] == hash_key(key)
    assert key not in str(stored[0]["p"].values())
    me = client.get("/whoami", headers={"Authorization": f"Bearer {key}"}).json()
    assert me["role"] == "relationship_manager" and me["manager_id"] == "rm-5"
    assert CliRunner().invoke(cli, ["apikey", "revoke", me["key_id"]]).exit_code == 0


def test_bad_role_or_missing_manager_is_a_clear_error(db) -> None:
    bad = CliRunner().invoke(cli, ["apikey", "create", "--role", "root"])
    assert bad.exit_code == 1 and "unknown role" in bad.output and "Traceback" not in bad.output
    assert CliRunner().invoke(cli, ["apikey", "create", "--role", "relationship_manager"]).exit_code == 1
