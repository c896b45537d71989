"""DELETE /customers/{id}: admin only; the customer and everything of theirs goes, introductions become
tombstones without their id, name or texts, and the id cannot be loaded again."""

from fastapi.testclient import TestClient

from graph.erasure import id_hash
from tests.app.bank import small_bank

INTRO = """
MATCH (a:Customer {customer_id: 'c1'}), (b:Customer {customer_id: 'p1'})
CREATE (a)-[:NEEDER_IN]->(i:Introduction {introduction_id: 'intro-c1-p1', state: 'met', needer_id: 'c1',
        provider_id: 'p1', need_id: 'n-c1', capability_id: 'p-p1', segment: 'sme', region: 'north'})<-[:PROVIDER_IN]-(b)
CREATE (i)-[:HAS_EVENT]->(:IntroEvent {from_state: 'offered', to_state: 'met', note: 'met Name of c1 at lunch'})
CREATE (i)-[:HAS_FEEDBACK]->(:Feedback {party: 'provider', rating: 4, comment: 'Name of c1 was great'})
"""


def test_erasure_leaves_only_a_tombstone(client: TestClient, headers, db) -> None:
    small_bank(db)
    db.execute_query(INTRO)
    client.put("/customers/c1/consent", json={"consent": "opt_in", "basis": "form"}, headers=headers("admin"))
    assert client.delete("/customers/c1", headers=headers("analyst")).status_code == 403
    assert client.delete("/customers/c1", headers=headers("relationship_manager", "rm-1")).status_code == 403
    assert client.delete("/customers/c1", headers=headers("admin")).status_code == 204
    assert client.delete("/customers/c1", headers=headers("admin")).status_code == 404

    def traces(text: str) -> int:
        return db.execute_query("""MATCH (n) WHERE any(k IN keys(n) WHERE toString(n[k]) CONTAINS $t) RETURN count(n) AS c""",
                                t=text).records[0]["c"] + db.execute_query(
            """MATCH ()-[r]->() WHERE any(k IN keys(r) WHERE toString(r[k]) CONTAINS $t) RETURN count(r) AS c""",
            t=text).records[0]["c"]

    assert traces("Name of c1") == 0 and traces("n-c1") == 0
    assert db.execute_query("MATCH (c:Customer {customer_id: 'c1'}) RETURN count(c) AS c").records[0]["c"] == 0
    assert db.execute_query("MATCH ()-[s:SUGGESTED_INTRO]->() RETURN count(s) AS c").records[0]["c"] == 0
    intro = db.execute_query("MATCH (i:Introduction) RETURN i").records[0]["i"]
    assert intro["tombstone"] is True and intro["needer_id"] is None and intro["provider_id"] == "p1"
    assert intro["state"] == "met" and intro["segment"] == "sme"
    assert db.execute_query("MATCH (e:Erasure {id_hash: $h}) RETURN count(e) AS c",
                            h=id_hash("c1")).records[0]["c"] == 1
    # the other side keeps its own data
    assert client.get("/customers/p1", headers=headers("admin")).json()["capabilities"]
