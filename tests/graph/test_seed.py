"""The sample bank: same seed same bytes, and the story's structure is really in the data."""

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from graph.categories import CATEGORY_NAMES
from graph.ingest import validate
from graph.seed import DIST_SCALE, build_bank, generate_bank

FILES = ("customers.csv", "needs.csv", "capabilities.csv", "referrals.csv", "interactions.csv")


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bank_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bank")
    generate_bank(customers=1000, seed=5, out=out)
    return out


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        generate_bank(customers=300, seed=seed, out=tmp_path / name)
    for f in FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert (tmp_path / "a" / "referrals.csv").read_bytes() != (tmp_path / "c" / "referrals.csv").read_bytes()


def test_every_generated_row_is_valid(bank_dir):
    for f in FILES:
        rows = _rows(bank_dir / f)
        assert rows, f
        _, rejects = validate(f.removesuffix(".csv"), rows)
        assert rejects == [], (f, rejects[:3])


def test_population_has_the_promised_mix_and_missing_data(bank_dir):
    customers = _rows(bank_dir / "customers.csv")
    share = lambda pred: sum(map(pred, customers)) / len(customers)  # noqa: E731
    assert 0.75 <= share(lambda c: c["consent"] == "opt_in") <= 0.85  # ~20% not opted in
    assert 0.07 <= share(lambda c: c["consent"] == "unknown") <= 0.2
    assert 0.85 <= share(lambda c: c["vetted"] == "true") <= 0.95
    assert 0.02 <= share(lambda c: c["risk_rating"] == "high") <= 0.09
    assert 0.1 <= share(lambda c: c["kind"] == "individual") <= 0.3
    assert len({c["region"] for c in customers}) == 25
    assert {c["relationship_manager"] for c in customers} >= {"rm-001", "rm-040", ""}
    needs = _rows(bank_dir / "needs.csv")
    assert 0.05 <= sum(n["description"] == "" for n in needs) / len(needs) <= 0.15
    statuses = {n["status"] for n in needs}
    assert statuses == {"open", "fulfilled", "withdrawn"}
    outcomes = {r["outcome"] for r in _rows(bank_dir / "referrals.csv")}
    assert outcomes == {"pending", "deal", "no_deal", "declined"}
    created = sorted(r["created_at"] for r in _rows(bank_dir / "referrals.csv"))
    assert created[0] < "2022-03-01" and created[-1] > "2025-05-01"  # three years and more, for a temporal split


def test_referrals_follow_category_distance_and_quality():
    bank = build_bank(customers=2000, seed=9)
    c, nd, cp, rf = bank.customers, bank.needs, bank.capabilities, bank.referrals
    provides = defaultdict(set)
    for who, cat in zip(cp["customer"].tolist(), cp["category"].tolist(), strict=True):
        provides[who].add(cat)
    need_cat = nd["category"][rf["need"]]
    assert all(cat in provides[to] for cat, to in zip(need_cat.tolist(), rf["to"].tolist(), strict=True))
    dist = np.hypot(c["x"][rf["from"]] - c["x"][rf["to"]], c["y"][rf["from"]] - c["y"][rf["to"]])
    deal = rf["deal"] & ~rf["pending"]
    declined = rf["declined"] & ~rf["deal"] & ~rf["pending"]
    assert np.median(dist[deal]) < np.median(dist[declined])
    # referrals go to far nearer providers than a random provider of the same category would be
    rng = np.random.default_rng(0)
    rand_to = np.array([rng.choice(cp["customer"][cp["category"] == cat]) for cat in need_cat[:500]])
    rand_dist = np.hypot(c["x"][rf["from"][:500]] - c["x"][rand_to], c["y"][rf["from"][:500]] - c["y"][rand_to])
    assert np.median(dist[:500]) < 0.6 * np.median(rand_dist)
    assert np.median(dist[deal]) < 2 * DIST_SCALE
    quality = {who: q for who, q in zip(cp["customer"].tolist(), cp["quality"].tolist(), strict=True)}
    assert np.mean([quality[t] for t in rf["to"][deal].tolist()]) > np.mean(cp["quality"]) + 0.3
    assert 0.25 <= deal.mean() <= 0.5


def test_successful_referrals_cluster():
    """Triadic closure: a later deal often goes to a provider used by a client of the needer's past providers,
    far more often than a random provider of the same category would be."""
    bank = build_bank(customers=1000, seed=5)
    rf, nd, cp = bank.referrals, bank.needs, bank.capabilities
    deal = rf["deal"] & ~rf["pending"]
    owners = defaultdict(list)
    for who, cat in zip(cp["customer"].tolist(), cp["category"].tolist(), strict=True):
        owners[cat].append(who)
    providers, clients = defaultdict(set), defaultdict(set)
    rng = np.random.default_rng(0)
    order = np.argsort(rf["created"], kind="stable")
    half = rf["created"][order[len(order) // 2]]
    closing = by_chance = late = 0
    for i in order[deal[order]].tolist():
        u, v = int(rf["from"][i]), int(rf["to"][i])
        if rf["created"][i] >= half:
            circle = {q for p in providers[u] for w in clients[p] if w != u for q in providers[w]}
            closing += v in circle
            by_chance += int(rng.choice(owners[int(nd["category"][rf["need"][i]])])) in circle
            late += 1
        providers[u].add(v)
        clients[v].add(u)
    assert late > 100
    assert closing / late > 0.08
    assert closing > 3 * by_chance


def test_notes_mention_the_need_they_reveal(bank_dir):
    notes = [i["text"] for i in _rows(bank_dir / "interactions.csv")]
    mentions = [t for t in notes if "need" in t or "recommend" in t or "provider of" in t or "find" in t]
    assert len(mentions) > 0.3 * len(notes)
    assert any("Met the owner" in t for t in notes) and any(t.startswith("Social post") for t in notes)
    assert {n["category"] for n in _rows(bank_dir / "needs.csv")} <= set(CATEGORY_NAMES)
