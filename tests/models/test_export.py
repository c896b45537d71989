"""Neo4j -> HeteroData: counts survive the round trip, id maps are stable, the split is temporal and leak-free."""

import math

import torch

from models.data import REFERRED, export_graph, stage_inputs, temporal_split
from tests.models import tinybank


def test_export_round_trip_and_stable_id_maps(db, settings):
    bank = tinybank.build(db, customers=30, referrals=90)
    g = export_graph(db, settings=settings, text=False)
    assert g.id_maps["customer"] == sorted(bank["customers"])
    assert g.data["need"].num_nodes == bank["needs"]
    assert g.data["capability"].num_nodes == bank["capabilities"]
    assert sorted(g.id_maps["category"]) == sorted(tinybank.CATEGORIES)
    assert g.referrals.size(1) == bank["referrals"]
    # every need hangs off the customer that owns it
    owner = g.data["customer", "has_need", "need"].edge_index[0]
    assert all(g.id_maps["need"][j].startswith("N" + g.id_maps["customer"][int(o)][1:]) for j, o in enumerate(owner))

    again = export_graph(db, settings=settings, text=False)
    assert again.id_maps == g.id_maps and again.snapshot_id == g.snapshot_id
    assert torch.equal(again.data["customer"].x, g.data["customer"].x)

    tinybank.add_customer(db, "ZNEW", needs=["marketing"])
    changed = export_graph(db, settings=settings, text=False)
    assert changed.snapshot_id != g.snapshot_id
    assert changed.id_maps["customer"][:-1] == g.id_maps["customer"]


def test_temporal_split_orders_outcomes_and_hides_the_future(db, settings):
    tinybank.build(db, customers=30, referrals=120)
    g = export_graph(db, settings=settings, text=False)
    split = temporal_split(g, val_frac=0.2, test_frac=0.2)
    labelled = int((g.referrals[2] >= 0).sum())
    assert split.train.size(1) + split.val.size(1) + split.test.size(1) == labelled  # pending left out
    assert set(split.train[2].tolist()) <= {0, 1} and (split.train[2] == 0).any()  # hard negatives kept as 0
    assert split.val_cutoff < split.test_cutoff

    def times(idx):
        return g.referral_time[idx].tolist()

    assert torch.equal(g.referrals[:, split.val_idx], split.val)
    assert max(times(split.train_idx)) < split.val_cutoff <= min(times(split.val_idx))
    assert max(times(split.val_idx)) < split.test_cutoff <= min(times(split.test_idx))

    # validation message passing sees deals before its cut-off only, never a validation or test deal
    _, edges = stage_inputs(g, split.history_before(g, "val"))
    seen = {tuple(p) for p in edges[REFERRED].T.tolist()}
    future = {tuple(p) for p in split.val[:2, split.val[2] == 1].T.tolist()} | {
        tuple(p) for p in split.test[:2, split.test[2] == 1].T.tolist()}
    past = {tuple(p) for p in split.train[:2, split.train[2] == 1].T.tolist()}
    assert seen == past and not (future - past) & seen
    x, _ = stage_inputs(g, split.history_before(g, "val"))
    assert not math.isnan(float(x["customer"].sum()))
