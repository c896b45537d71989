"""From Neo4j to PyG: the training graph as a `HeteroData`, stable id maps, referrals, and the temporal split.

Referrals are kept apart from the structural edges: which of them a step may pass messages over depends on the
stage (training steps hide their own supervision edges; validation sees only the past), see `stage_inputs`.
"""

import hashlib
from dataclasses import dataclass, field

import numpy as np
import torch
from neo4j import Driver
from torch import Tensor
from torch_geometric.data import HeteroData

from graph import export
from graph.settings import Settings
from models import ModelError
from models import features as F
from models import text as text_model

OUTCOME_LABEL = {"deal": 1, "no_deal": 0, "declined": 0}  # pending (and anything else) is no outcome yet: -1
NODE_TYPES = ("customer", "need", "capability", "category")
STRUCTURAL = [("customer", "has_need", "need"), ("need", "need_of", "customer"),
              ("customer", "can_provide", "capability"), ("capability", "capability_of", "customer"),
              ("need", "in_category", "category"), ("category", "category_of_need", "need"),
              ("capability", "in_category", "category"), ("category", "category_of_capability", "capability")]
REFERRED = ("customer", "referred", "customer")
REFERRED_BY = ("customer", "referred_by", "customer")
EDGE_TYPES = [*STRUCTURAL, REFERRED, REFERRED_BY]
METADATA = (list(NODE_TYPES), EDGE_TYPES)


@dataclass
class RawGraph:
    customers: list[export.CustomerRow]
    needs: list[export.NeedRow]
    capabilities: list[export.CapabilityRow]
    categories: list[export.CategoryRow]
    interactions: list[export.InteractionRow]
    referrals: list[export.ReferralRow]


@dataclass
class TrainingGraph:
    data: HeteroData                 # features (customer: without history) + structural edges
    id_maps: dict[str, list[str]]    # node type -> ids in index order (sorted, so stable across exports)
    referrals: Tensor                # [3, R] needer, provider, label (1 deal, 0 no_deal/declined, -1 pending)
    referral_time: Tensor            # [R] float64 seconds since the epoch (nan when unknown)
    snapshot_id: str
    spec: F.FeatureSpec
    raw: RawGraph = field(repr=False)

    def index(self, node_type: str) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.id_maps[node_type])}

    @property
    def num_customers(self) -> int:
        return len(self.id_maps["customer"])

    def owners(self) -> dict[str, list[int]]:
        """Customer index owning each need / capability (saved with the id map, so erasure can follow it)."""
        return {"need": self.data["customer", "has_need", "need"].edge_index[0].tolist(),
                "capability": self.data["customer", "can_provide", "capability"].edge_index[0].tolist()}


@dataclass
class Split:
    train: Tensor       # [3, E] needer, provider, label: supervision before the validation cut-off
    val: Tensor
    test: Tensor
    val_cutoff: float   # seconds since the epoch; referrals from here on are validation, then test
    test_cutoff: float
    train_idx: Tensor   # positions in `graph.referrals` (for times, ids) of each part
    val_idx: Tensor
    test_idx: Tensor

    def history_before(self, graph: TrainingGraph, stage: str) -> Tensor:
        """Referrals with an outcome that message passing may use when evaluating `stage` ("val" or "test")."""
        cutoff = {"val": self.val_cutoff, "test": self.test_cutoff}[stage]
        return graph_referrals_before(graph, cutoff)


def graph_referrals_before(graph: TrainingGraph, cutoff: float | None) -> Tensor:
    known = graph.referrals[2] >= 0
    if cutoff is not None:
        t = graph.referral_time
        known &= torch.nan_to_num(t, nan=-np.inf) < cutoff
    return graph.referrals[:, known]


def read_raw(driver: Driver, *, batch_size: int = export.DEFAULT_BATCH) -> RawGraph:
    def collect(stream):  # noqa: ANN001, ANN202
        return [row for batch in stream(driver, batch_size=batch_size) for row in batch]

    return RawGraph(collect(export.stream_customers), collect(export.stream_needs),
                    collect(export.stream_capabilities), collect(export.stream_categories),
                    collect(export.stream_interactions), collect(export.stream_referrals))


def _snapshot_id(raw: RawGraph) -> str:
    h = hashlib.sha256()
    for c in raw.customers:
        h.update(f"c|{c.customer_id}|{c.kind}|{c.industry}|{c.region}|{c.segment}\n".encode())
    for n in raw.needs:
        h.update(f"n|{n.need_id}|{n.customer_id}|{n.category}|{n.description}\n".encode())
    for k in raw.capabilities:
        h.update(f"k|{k.capability_id}|{k.customer_id}|{k.category}|{k.quality}|{k.description}\n".encode())
    for i in raw.interactions:
        h.update(f"i|{i.interaction_id}|{i.customer_id}|{i.text}\n".encode())
    for r in raw.referrals:
        h.update(f"r|{r.referral_id}|{r.needer_id}|{r.provider_id}|{r.created_at}|{r.outcome}\n".encode())
    return h.hexdigest()[:16]


def _edges(src: list[int], dst: list[int]) -> Tensor:
    return torch.tensor([src, dst], dtype=torch.long).reshape(2, -1)


def build_graph(raw: RawGraph, *, spec: F.FeatureSpec, settings: Settings | None = None) -> TrainingGraph:
    """Features and edges for these rows, with the columns `spec` fixes (a saved model's spec reproduces them)."""
    # categories named by a need or capability but without a Category node still get a node
    known = {c.name for c in raw.categories}
    extra = sorted(({n.category for n in raw.needs} | {k.category for k in raw.capabilities}) - known)
    categories = sorted([*raw.categories, *(export.CategoryRow(name, "") for name in extra)], key=lambda c: c.name)
    cust = {c.customer_id: i for i, c in enumerate(raw.customers)}
    cat = {c.name: i for i, c in enumerate(categories)}
    needs = [n for n in raw.needs if n.customer_id in cust]
    caps = [k for k in raw.capabilities if k.customer_id in cust]
    n = len(raw.customers)

    data = HeteroData()
    need_owner = np.array([cust[x.customer_id] for x in needs], dtype=np.int64)
    cap_owner = np.array([cust[x.customer_id] for x in caps], dtype=np.int64)
    inter = F.interaction_means(raw.interactions, customer_index=cust, n=n, spec=spec, settings=settings)
    data["customer"].x = torch.from_numpy(F.customer_static(
        raw.customers, needs=(need_owner, [x.category for x in needs]),
        caps=(cap_owner, [x.category for x in caps], np.array([x.quality for x in caps], dtype=np.float32)),
        interaction_text=inter, spec=spec))
    data["need"].x = torch.from_numpy(F.need_features(needs, spec=spec, settings=settings))
    data["capability"].x = torch.from_numpy(F.capability_features(caps, spec=spec, settings=settings))
    data["category"].x = torch.from_numpy(F.category_features(categories, spec=spec, settings=settings))

    has_need = _edges([cust[x.customer_id] for x in needs], list(range(len(needs))))
    can_provide = _edges([cust[x.customer_id] for x in caps], list(range(len(caps))))
    need_cat = _edges(list(range(len(needs))), [cat[x.category] for x in needs])
    cap_cat = _edges(list(range(len(caps))), [cat[x.category] for x in caps])
    for (s, r, d), ei in zip(STRUCTURAL, [has_need, has_need.flip(0), can_provide, can_provide.flip(0),
                                          need_cat, need_cat.flip(0), cap_cat, cap_cat.flip(0)], strict=True):
        data[s, r, d].edge_index = ei

    if spec.text:
        text_model.remember_owners([*((x.customer_id, x.description) for x in needs),
                                    *((x.customer_id, x.description) for x in caps),
                                    *((x.customer_id, x.text) for x in raw.interactions)], settings=settings)
    refs = [r for r in raw.referrals if r.needer_id in cust and r.provider_id in cust]
    referrals = torch.tensor([[cust[r.needer_id] for r in refs], [cust[r.provider_id] for r in refs],
                              [OUTCOME_LABEL.get(r.outcome, -1) for r in refs]], dtype=torch.long).reshape(3, -1)
    times = torch.tensor([r.created_at.timestamp() if r.created_at else float("nan") for r in refs],
                         dtype=torch.float64)
    id_maps = {"customer": [c.customer_id for c in raw.customers], "need": [x.need_id for x in needs],
               "capability": [x.capability_id for x in caps], "category": [c.name for c in categories]}
    return TrainingGraph(data=data, id_maps=id_maps, referrals=referrals, referral_time=times,
                         snapshot_id=_snapshot_id(raw), spec=spec, raw=raw)


def export_graph(driver: Driver, *, settings: Settings, text: bool = True, spec: F.FeatureSpec | None = None,
                 batch_size: int = export.DEFAULT_BATCH) -> TrainingGraph:
    """Stream the whole graph out of Neo4j; the feature vocabulary comes from the graph unless `spec` is given."""
    raw = read_raw(driver, batch_size=batch_size)
    if spec is None:
        names = [c.name for c in raw.categories] + [n.category for n in raw.needs] + [
            k.category for k in raw.capabilities]
        spec = F.FeatureSpec.from_rows(customers=raw.customers, categories=names, text=text)
    return build_graph(raw, spec=spec, settings=settings)


def temporal_split(graph: TrainingGraph, *, val_frac: float = 0.1, test_frac: float = 0.1) -> Split:
    """Referrals with an outcome, ordered by `created_at`: the oldest train, then validation, then test."""
    if not (0 <= val_frac < 1 and 0 <= test_frac < 1 and val_frac + test_frac < 1):
        raise ModelError("val_frac and test_frac must be in [0, 1) and sum to less than 1")
    known = (graph.referrals[2] >= 0).nonzero().view(-1)
    t = torch.nan_to_num(graph.referral_time[known], nan=-np.inf)
    order = known[torch.argsort(t, stable=True)]
    times = torch.nan_to_num(graph.referral_time[order], nan=-np.inf)
    m = order.numel()
    if m < 3:
        raise ModelError(f"need at least 3 referrals with an outcome to split by time, found {m}")
    val_cutoff = float(times[min(m - 1, int(m * (1 - val_frac - test_frac)))])
    test_cutoff = float(times[min(m - 1, int(m * (1 - test_frac)))])
    refs = graph.referrals
    train = order[times < val_cutoff]
    val = order[(times >= val_cutoff) & (times < test_cutoff)]
    test = order[times >= test_cutoff]
    return Split(train=refs[:, train], val=refs[:, val], test=refs[:, test], val_cutoff=val_cutoff,
                 test_cutoff=test_cutoff, train_idx=train, val_idx=val, test_idx=test)


def stage_inputs(graph: TrainingGraph, visible: Tensor) -> tuple[dict[str, Tensor], dict[tuple, Tensor]]:
    """Model inputs when message passing may see only the referrals in `visible` ([3, E]).

    Deals become `referred` edges (and their reverse); every visible outcome feeds the history columns.
    """
    data = graph.data
    x = {t: data[t].x for t in NODE_TYPES}
    x["customer"] = torch.cat([x["customer"], F.history(graph.num_customers, visible)], dim=1)
    edges = {et: data[et].edge_index for et in STRUCTURAL}
    deals = visible[:2, visible[2] == 1]
    edges[REFERRED] = deals
    edges[REFERRED_BY] = deals.flip(0)
    return x, edges
