"""A tiny deterministic bank for the model tests: providers in the same region with good quality win deals.

Written with plain UNWIND batches so the model tests do not depend on the loader; sizes stay in the tens.
"""

import random
from datetime import UTC, datetime, timedelta

from neo4j import Driver

CATEGORIES = ["accounting", "logistics", "marketing", "legal_services"]
REGIONS = ["north", "south", "east"]
TEXT = {"accounting": "bookkeeping and tax filing for the business", "logistics": "freight and delivery of goods",
        "marketing": "advertising campaigns and branding", "legal_services": "contracts and compliance advice"}

_CUSTOMERS = """UNWIND $rows AS row
MERGE (c:Customer {customer_id: row.customer_id})
SET c += row, c.joined_at = datetime(row.joined_at)"""
_NEEDS = """UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (k:Category {name: row.category})
MERGE (n:Need {need_id: row.need_id})
SET n.customer_id = row.customer_id, n.category = row.category, n.description = row.description,
    n.status = row.status, n.created_at = datetime(row.created_at)
MERGE (c)-[:HAS_NEED]->(n) MERGE (n)-[:IN_CATEGORY]->(k)"""
_CAPS = """UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (k:Category {name: row.category})
MERGE (p:Capability {capability_id: row.capability_id})
SET p.customer_id = row.customer_id, p.category = row.category, p.description = row.description,
    p.quality = row.quality
MERGE (c)-[:CAN_PROVIDE]->(p) MERGE (p)-[:IN_CATEGORY]->(k)"""
_REFS = """UNWIND $rows AS row
MATCH (a:Customer {customer_id: row.from_id}), (b:Customer {customer_id: row.to_id})
MERGE (a)-[r:REFERRED {referral_id: row.referral_id}]->(b)
SET r.created_at = datetime(row.created_at), r.outcome = row.outcome"""
_INTERACTIONS = """UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (i:Interaction {interaction_id: row.interaction_id})
SET i.customer_id = row.customer_id, i.text = row.text, i.channel = 'service_note',
    i.created_at = datetime(row.created_at)
MERGE (c)-[:HAD_INTERACTION]->(i)"""


def write(driver: Driver, statement: str, rows: list[dict]) -> None:
    if rows:
        driver.execute_query(statement, rows=rows)


def add_customer(driver: Driver, customer_id: str, *, region: str = "north", needs: list[str] = (),
                 caps: list[tuple[str, float]] = (), eligible: bool = True) -> None:
    """One customer (for the inductive and eligibility tests), with needs and capabilities by category."""
    write(driver, _CUSTOMERS, [_customer(customer_id, region, eligible, 0)])
    write(driver, _NEEDS, [{"need_id": f"{customer_id}-n{j}", "customer_id": customer_id, "category": c,
                            "description": f"we need {TEXT[c]}", "status": "open",
                            "created_at": "2026-11-01T00:00:00+00:00"} for j, c in enumerate(needs)])
    write(driver, _CAPS, [{"capability_id": f"{customer_id}-k{j}", "customer_id": customer_id, "category": c,
                           "description": f"we offer {TEXT[c]}", "quality": q} for j, (c, q) in enumerate(caps)])


def _customer(cid: str, region: str, eligible: bool, i: int) -> dict:
    return {"customer_id": cid, "name": f"Company {cid}", "kind": "business", "industry": f"ind{i % 3}",
            "region": region, "segment": "sme" if i % 2 else "corporate", "vetted": eligible,
            "risk_rating": "low", "consent": "opt_in" if eligible else "opt_out",
            "relationship_manager": "rm-001", "joined_at": "2023-01-01T00:00:00+00:00"}


def build(driver: Driver, *, customers: int = 60, referrals: int = 240, seed: int = 7) -> dict:
    """Write the bank; returns what was written (ids, counts) so tests can check round trips."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    ids = [f"C{i:04d}" for i in range(customers)]
    region = {c: REGIONS[i % len(REGIONS)] for i, c in enumerate(ids)}
    rows = [_customer(c, region[c], i % 10 != 9, i) for i, c in enumerate(ids)]
    needs, caps, inter = [], [], []
    offers: dict[str, list[tuple[str, float]]] = {k: [] for k in CATEGORIES}
    need_of: dict[str, list[str]] = {}
    for i, c in enumerate(ids):
        wanted = rng.sample(CATEGORIES, 2)
        need_of[c] = wanted
        for j, cat in enumerate(wanted):
            needs.append({"need_id": f"N{i:04d}-{j}", "customer_id": c, "category": cat,
                          "description": f"looking for {TEXT[cat]}", "status": "open" if j else "fulfilled",
                          "created_at": (start + timedelta(days=rng.randrange(900))).isoformat()})
        if i % 2 == 0:
            cat = [k for k in CATEGORIES if k not in wanted][i % 2]
            q = round(rng.uniform(0.5, 5.0), 1)
            caps.append({"capability_id": f"K{i:04d}", "customer_id": c, "category": cat,
                         "description": f"we provide {TEXT[cat]}", "quality": q})
            offers[cat].append((c, q))
        inter.append({"interaction_id": f"I{i:04d}", "customer_id": c, "created_at": start.isoformat(),
                      "text": f"Met at the branch; they mentioned {TEXT[wanted[0]]}"})
    refs = []
    for r in range(referrals):
        a = rng.choice(ids)
        cat = rng.choice(need_of[a])
        options = [(p, q) for p, q in offers[cat] if p != a]
        if not options:
            continue
        # the story: same-region, high-quality providers are chosen more often and close deals
        weights = [(3.0 if region[p] == region[a] else 0.3) * q for p, q in options]
        p, q = rng.choices(options, weights=weights)[0]
        good = region[p] == region[a] and q >= 2.5
        outcome = "deal" if good else rng.choice(["declined", "no_deal"])
        if r % 17 == 0:
            outcome = "pending"
        when = start + timedelta(days=1095 * r / referrals)
        refs.append({"referral_id": f"R{r:05d}", "from_id": a, "to_id": p, "created_at": when.isoformat(),
                     "outcome": outcome})
    write(driver, _CUSTOMERS, rows)
    write(driver, _NEEDS, needs)
    write(driver, _CAPS, caps)
    write(driver, _INTERACTIONS, inter)
    write(driver, _REFS, refs)
    return {"customers": ids, "needs": len(needs), "capabilities": len(caps), "referrals": len(refs),
            "interactions": len(inter), "region": region}


def scratch_settings(settings, folder):  # noqa: ANN001, ANN201 (Settings in, Settings out)
    """The suite's settings with this test's own artifacts and var folders."""
    return settings.model_copy(update={"artifacts_dir": folder / "artifacts", "var_dir": folder / "var"})
