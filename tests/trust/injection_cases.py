"""What the injection tests send and how they measure: a hostile CSV export, the API write probes, graph shape.

`graph_shape` counts nodes per label and relationships per type, so a test can demand an exact delta.
"""

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver

from graph.ingest import RecordKind, write_customers, write_needs
from graph.loader import expected_columns
from graph.records import CustomerRecord, NeedRecord
from tests.trust.hostile import ALL, fit, for_field

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


def seed_sentinel(driver: Driver) -> None:
    """A customer that is already there and must survive untouched."""
    write_customers(driver, records=[CustomerRecord(customer_id="sentinel", name="Sentinel Ltd", industry="Retail",
                                                    region="North", segment="sme", vetted=True, consent="opt_in")])
    write_needs(driver, records=[NeedRecord(need_id="sentinel-n", customer_id="sentinel", category="Logistics",
                                            description="a van")])


@dataclass
class Probe:
    """One write endpoint: the request for a text, and where each text field must read back from."""

    name: str
    request: Callable[[str, int], tuple[str, str, dict]]  # (text, serial) -> (method, url, json)
    readback: Callable[[Driver, int], dict[str, Any]]  # serial -> {field: stored value}
    expect: dict[str, Callable[[str], str]]  # field -> what it must hold after a request with this text


def node(driver: Driver, label: str, key: str, value: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query("MATCH (n) WHERE $label IN labels(n) AND n[$key] = $value RETURN n",
                                         label=label, key=key, value=value)
    assert len(records) == 1, f"{label} {value}: {len(records)} nodes"
    return dict(records[0]["n"])


def _customer_body(cid: str, text: Callable[[str, int], str]) -> dict[str, Any]:
    return {"customer_id": cid, "name": text("name", 200), "industry": text("industry", 200),
            "region": text("region", 200), "segment": text("segment", 200), "vetted": True, "consent": "opt_in",
            "relationship_manager": "rm-owner", "contact_email": text("contact_email", 200),
            "contact_phone": text("contact_phone", 200), "private_notes": text("private_notes", 5000)}


def _cut(max_len: int, prefix: str = "") -> Callable[[str], str]:
    return lambda text: fit(prefix + text, max_len)


def probes(world_ids: dict[str, str]) -> list[Probe]:
    owner = world_ids["owner"]

    def fitted(text: str) -> Callable[[str, int], str]:
        return lambda _field, max_len: fit(text, max_len)

    return [
        Probe("create customer",
              lambda t, i: ("POST", "/customers", _customer_body(f"api-{i}", fitted(t))),
              lambda d, i: node(d, "Customer", "customer_id", f"api-{i}"),
              {f: _cut(200) for f in ("name", "industry", "region", "segment", "contact_email", "contact_phone")}
              | {"private_notes": _cut(5000)}),
        Probe("patch customer",
              lambda t, i: ("PATCH", f"/customers/{owner}", {"name": fit(t, 200), "private_notes": fit(t, 5000)}),
              lambda d, i: node(d, "Customer", "customer_id", owner), {"name": _cut(200), "private_notes": _cut(5000)}),
        Probe("create need",
              lambda t, i: ("POST", f"/customers/{owner}/needs", {"need_id": f"api-n-{i}", "category": fit(t, 100),
                                                                   "description": fit(t, 5000), "source": fit(t, 40)}),
              lambda d, i: node(d, "Need", "need_id", f"api-n-{i}"),
              {"category": _cut(100), "description": _cut(5000), "source": _cut(40)}),
        Probe("create capability",
              lambda t, i: ("POST", f"/customers/{owner}/capabilities",
                            {"capability_id": f"api-p-{i}", "category": fit("offer " + t, 100),
                             "description": fit(t, 5000)}),
              lambda d, i: node(d, "Capability", "capability_id", f"api-p-{i}"),
              {"category": _cut(100, "offer "), "description": _cut(5000)}),
        Probe("consent",
              lambda t, i: ("PUT", f"/customers/{owner}/consent", {"consent": "opt_in", "basis": fit(t, 200)}),
              lambda d, i: _latest_consent(d, owner), {"basis": _cut(200)}),
    ]


def _latest_consent(driver: Driver, cid: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query("MATCH (:Customer {customer_id: $cid})-[:CONSENT_EVENT]->(e) "
                                         "RETURN e ORDER BY e.at DESC LIMIT 1", cid=cid)
    return dict(records[0]["e"])


def is_text(schema: dict) -> bool:
    options = schema.get("anyOf", [schema])
    return any(o.get("type") == "string" and "enum" not in o and "format" not in o for o in options)
