"""Cypher injection: hostile text through the CSV loader and the API is stored verbatim and adds exactly the intended records.

Every entry of `tests/trust/hostile.py` goes into every string column of every CSV file and every string
field of the API's write and search endpoints; afterwards the graph's node and relationship counts per label
and type are exactly what the inputs call for, and each string reads back unchanged.
"""

import csv
from collections import Counter
from pathlib import Path

from neo4j import Driver

from graph.ingest import RecordKind, write_customers, write_needs
from graph.loader import expected_columns, load_folder
from graph.records import CustomerRecord, NeedRecord
from tests.trust.hostile import ALL, for_field

KEYS = list(ALL)


def graph_shape(driver: Driver) -> tuple[Counter, Counter]:
    """Nodes per label and relationships per type: the whole graph's shape, for exact before/after checks."""
    labels, _, _ = driver.execute_query("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS n")
    types, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")
    return Counter({r["l"]: r["n"] for r in labels if r["l"] != "_Migration"}), Counter({r["t"]: r["n"] for r in types})


def _write_csv(path: Path, kind: RecordKind, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=expected_columns(kind))
        writer.writeheader()
        writer.writerows(rows)


def _pick(i: int, shift: int) -> str:
    return KEYS[(i + shift) % len(KEYS)]


def hostile_export(folder: Path) -> dict[str, dict[str, dict[str, str]]]:
    """A CRM export whose every text column holds hostile text; returns what each record must read back as."""
    customers, needs, caps, inters, refs = [], [], [], [], []
    for i, key in enumerate(KEYS):
        cid = f"h-{i:02d}"
        customers.append({"customer_id": cid, "name": for_field(key, 200), "kind": "business",
                          "industry": for_field(_pick(i, 1), 200), "region": for_field(_pick(i, 2), 200),
                          "segment": for_field(_pick(i, 3), 200), "vetted": "true", "risk_rating": "low",
                          "consent": "opt_in", "consent_at": "2025-01-02T03:04:05+00:00",
                          "relationship_manager": "rm-hostile", "joined_at": "2024-01-01T00:00:00+00:00"})
        needs.append({"need_id": f"hn-{i:02d}", "customer_id": cid, "category": for_field(key, 100),
                      "description": for_field(key, 5000), "created_at": "2025-02-01T00:00:00+00:00",
                      "status": "open", "source": ALL[_pick(i, 4)][:40]})
        caps.append({"capability_id": f"hc-{i:02d}", "customer_id": cid, "category": for_field(_pick(i, 5), 100),
                     "description": for_field(_pick(i, 6), 5000), "quality": "4.5"})
        inters.append({"interaction_id": f"hi-{i:02d}", "customer_id": cid, "channel": for_field(_pick(i, 7), 40),
                       "text": for_field(_pick(i, 8), 5000), "created_at": "2025-03-01T00:00:00+00:00"})
        refs.append({"referral_id": f"hr-{i:02d}", "from_customer_id": cid,
                     "to_customer_id": f"h-{(i + 1) % len(KEYS):02d}", "created_at": "2025-04-01T00:00:00+00:00",
                     "outcome": "deal", "value": "10.5", "rating": "5"})
    for kind, rows in ((RecordKind.customers, customers), (RecordKind.needs, needs),
                       (RecordKind.capabilities, caps), (RecordKind.interactions, inters),
                       (RecordKind.referrals, refs)):
        _write_csv(folder / f"{kind.value}.csv", kind, rows)
    return {"Customer": {r["customer_id"]: r for r in customers}, "Need": {r["need_id"]: r for r in needs},
            "Capability": {r["capability_id"]: r for r in caps}, "Interaction": {r["interaction_id"]: r for r in inters}}


def _seed_sentinel(driver: Driver) -> None:
    """A customer that is already there and must survive untouched."""
    write_customers(driver, records=[CustomerRecord(customer_id="sentinel", name="Sentinel Ltd", industry="Retail",
                                                    region="North", segment="sme", vetted=True, consent="opt_in")])
    write_needs(driver, records=[NeedRecord(need_id="sentinel-n", customer_id="sentinel", category="Logistics",
                                            description="a van")])


def test_hostile_csv_export_loads_verbatim_and_exactly(db: Driver, tmp_path: Path) -> None:
    _seed_sentinel(db)
    nodes_before, rels_before = graph_shape(db)
    folder = tmp_path / "export"
    folder.mkdir()
    expected = hostile_export(folder)

    result = load_folder(db, folder=folder, report_path=tmp_path / "report.jsonl")

    n = len(KEYS)
    assert {f: (s.loaded, s.rejected) for f, s in result.files.items()} == {
        f"{k.value}.csv": (n, 0) for k in RecordKind}, (tmp_path / "report.jsonl").read_text(encoding="utf-8")
    categories = {r["category"] for r in expected["Need"].values()} | {
        r["category"] for r in expected["Capability"].values()} | {"Logistics"}
    nodes_after, rels_after = graph_shape(db)
    assert nodes_after == nodes_before + Counter({"Customer": n, "Need": n, "Capability": n, "Interaction": n,
                                                  "ConsentEvent": n, "Category": len(categories) - 1})
    assert rels_after == rels_before + Counter({"HAS_NEED": n, "CAN_PROVIDE": n, "HAD_INTERACTION": n,
                                                "IN_CATEGORY": 2 * n, "REFERRED": n, "CONSENT_EVENT": n})

    for label, key, fields in (("Customer", "customer_id", ("name", "industry", "region", "segment")),
                               ("Need", "need_id", ("category", "description", "source")),
                               ("Capability", "capability_id", ("category", "description")),
                               ("Interaction", "interaction_id", ("channel", "text"))):
        stored, _, _ = db.execute_query(
            "MATCH (n) WHERE $label IN labels(n) RETURN n[$key] AS id, n AS props", label=label, key=key)
        got = {r["id"]: r["props"] for r in stored if r["id"] in expected[label]}
        assert set(got) == set(expected[label])
        for rid, row in expected[label].items():
            for field in fields:
                assert got[rid][field] == row[field], f"{label} {rid}.{field} changed on the way in"
    cats, _, _ = db.execute_query("MATCH (c:Category) RETURN collect(c.name) AS names")
    assert set(cats[0]["names"]) == categories
    sentinel, _, _ = db.execute_query("MATCH (c:Customer {customer_id: 'sentinel'})-[:HAS_NEED]->(n) "
                                      "RETURN c.name AS name, n.description AS d")
    assert [(r["name"], r["d"]) for r in sentinel] == [("Sentinel Ltd", "a van")]
