"""Serving: load the promoted model and rank providers for one customer, inductively, in milliseconds.

The scorer holds a base graph (re-read from Neo4j every `scorer_refresh_s`) with every provider's embedding
precomputed; the asking customer is read live and embedded through its own neighbourhood, so a customer created
a minute ago gets scores without retraining. Only providers offering a category of one of the customer's open
needs are ranked (so every proposal has a reason), and only those eligible right now are returned.
"""

import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import torch
from neo4j import Driver
from torch import Tensor

from graph.eligibility import eligible_candidates
from graph.export import CategoryRow, Neighbourhood, customer_neighbourhood
from graph.settings import Settings
from models import artifacts
from models import features as F
from models import text as text_model
from models.data import (
    OUTCOME_LABEL,
    REFERRED,
    REFERRED_BY,
    TrainingGraph,
    export_graph,
    graph_referrals_before,
    stage_inputs,
)
from models.ego import EgoBuilder, Overlay
from models.fit import TrainConfig
from models.model import HeteroLinkModel
from models.train import restore


@dataclass(frozen=True)
class ScoredCandidate:
    customer_id: str
    score: float


@dataclass
class Base:
    graph: TrainingGraph
    builder: EgoBuilder
    z_src: Tensor                       # needer-side projections of every customer's embedding
    z_dst: Tensor                       # provider-side projections
    providers_by_category: dict[str, Tensor]
    customer_index: dict[str, int]
    category_index: dict[str, int]
    built_at: float


class Scorer:
    def __init__(self, *, version: str, model: HeteroLinkModel, spec: F.FeatureSpec, config: TrainConfig,
                 settings: Settings) -> None:
        self.version = version
        self.model = model
        self.spec = spec
        self.config = config
        self.settings = settings
        self._base: Base | None = None
        self._lock = threading.Lock()

    # -- the base graph ---------------------------------------------------------------------------------------
    @torch.no_grad()
    def refresh(self, driver: Driver) -> Base:
        """Re-read the whole graph and recompute every customer's embedding (on load and every few minutes)."""
        return self.build_base(export_graph(driver, settings=self.settings, spec=self.spec))

    @torch.no_grad()
    def build_base(self, graph: TrainingGraph) -> Base:
        """Every customer's embedding and the providers of each category, for a graph read with this spec."""
        x, edges = stage_inputs(graph, graph_referrals_before(graph, None))
        z = self.model.encode(x, edges)["customer"]
        owner = graph.data["customer", "can_provide", "capability"].edge_index[0]
        cap_cat = graph.data["capability", "in_category", "category"].edge_index[1]
        by_cat: dict[str, set[int]] = defaultdict(set)
        names = graph.id_maps["category"]
        for o, c in zip(owner.tolist(), cap_cat.tolist(), strict=True):
            by_cat[names[c]].add(o)
        base = Base(graph=graph, builder=EgoBuilder(x, edges, num_layers=self.config.num_layers),
                    z_src=self.model.decoder.project_src(z), z_dst=self.model.decoder.project_dst(z),
                    providers_by_category={k: torch.tensor(sorted(v)) for k, v in by_cat.items()},
                    customer_index=graph.index("customer"), category_index=graph.index("category"),
                    built_at=time.monotonic())
        self._base = base
        return base

    def base(self, driver: Driver) -> Base:
        with self._lock:
            b = self._base
            if b is None or time.monotonic() - b.built_at > self.settings.scorer_refresh_s:
                b = self.refresh(driver)
            return b

    # -- one customer, live ------------------------------------------------------------------------------------
    def _overlay(self, nb: Neighbourhood, base: Base) -> Overlay:
        spec, cid = self.spec, nb.customer.customer_id
        if spec.text:
            text_model.remember_owners([(cid, n.description) for n in nb.needs] +
                                       [(cid, k.description) for k in nb.capabilities] +
                                       [(cid, i.text) for i in nb.interactions], settings=self.settings)
        inter = F.interaction_means(nb.interactions, customer_index={cid: 0}, n=1, spec=spec,
                                    settings=self.settings)
        static = F.customer_static(
            [nb.customer], needs=(np.zeros(len(nb.needs), dtype=np.int64), [x.category for x in nb.needs]),
            caps=(np.zeros(len(nb.capabilities), dtype=np.int64), [x.category for x in nb.capabilities],
                  np.array([x.quality for x in nb.capabilities], dtype=np.float32)),
            interaction_text=inter, spec=spec)
        known = [r for r in nb.referrals if r.outcome in OUTCOME_LABEL]
        refs = torch.tensor([[0 if r.needer_id == cid else 1 for r in known],
                             [0 if r.provider_id == cid else 1 for r in known],
                             [OUTCOME_LABEL[r.outcome] for r in known]], dtype=torch.long).reshape(3, -1)
        customer_x = torch.cat([torch.from_numpy(static), F.history(2, refs)[:1]], dim=1)
        new_cats = sorted(({n.category for n in nb.needs} | {k.category for k in nb.capabilities})
                          - set(base.category_index))
        ov = Overlay(x={"customer": customer_x,
                        "need": torch.from_numpy(F.need_features(nb.needs, spec=spec, settings=self.settings)),
                        "capability": torch.from_numpy(F.capability_features(nb.capabilities, spec=spec,
                                                                             settings=self.settings)),
                        "category": torch.from_numpy(F.category_features([CategoryRow(c, "") for c in new_cats],
                                                                         spec=spec, settings=self.settings))},
                     replaces=base.customer_index.get(cid))
        me = ("n", 0)

        def cat_key(name: str) -> tuple[str, int]:
            return ("b", base.category_index[name]) if name in base.category_index else ("n", new_cats.index(name))

        for j, n in enumerate(nb.needs):
            ov.edges["customer", "has_need", "need"].append((me, ("n", j)))
            ov.edges["need", "need_of", "customer"].append((("n", j), me))
            ov.edges["need", "in_category", "category"].append((("n", j), cat_key(n.category)))
            ov.edges["category", "category_of_need", "need"].append((cat_key(n.category), ("n", j)))
        for j, k in enumerate(nb.capabilities):
            ov.edges["customer", "can_provide", "capability"].append((me, ("n", j)))
            ov.edges["capability", "capability_of", "customer"].append((("n", j), me))
            ov.edges["capability", "in_category", "category"].append((("n", j), cat_key(k.category)))
            ov.edges["category", "category_of_capability", "capability"].append((cat_key(k.category), ("n", j)))
        for r in known:
            if r.outcome != "deal":
                continue
            other = r.provider_id if r.needer_id == cid else r.needer_id
            if other not in base.customer_index or other == cid:
                continue
            p = ("b", base.customer_index[other])
            needer, provider = (me, p) if r.needer_id == cid else (p, me)
            ov.edges[REFERRED].append((needer, provider))
            ov.edges[REFERRED_BY].append((provider, needer))
        return ov

    @torch.no_grad()
    def embed(self, driver: Driver, *, customer_id: str) -> Tensor:
        """The customer's embedding from its live neighbourhood (raises NotFound for an unknown customer)."""
        nb = customer_neighbourhood(driver, customer_id=customer_id)
        return self._embed(nb, self.base(driver))

    def _embed(self, nb: Neighbourhood, base: Base) -> Tensor:
        x, edges, root = base.builder.build(self._overlay(nb, base))
        return self.model.encode(x, edges)["customer"][root]

    @torch.no_grad()
    def rank(self, driver: Driver, *, customer_id: str, k: int) -> list[ScoredCandidate]:
        """The k best eligible providers for the customer's open needs, best first."""
        nb = customer_neighbourhood(driver, customer_id=customer_id)
        base = self.base(driver)
        z = self._embed(nb, base)
        wanted = {n.category for n in nb.needs if n.status == "open"}
        exclude = {customer_id} | {r.provider_id for r in nb.referrals} | {r.needer_id for r in nb.referrals}
        return self.top(driver, base=base, customer_id=customer_id, z_src=self.model.decoder.project_src(z),
                         wanted=wanted, exclude=exclude, k=k)

    @staticmethod
    def ranked(*, base: Base, z_src: Tensor, wanted: set[str], exclude: set[str]) -> list[tuple[str, float]]:
        """Every provider of a wanted category, best score first, before the live eligibility check."""
        pools = [base.providers_by_category[c] for c in wanted if c in base.providers_by_category]
        if not pools:
            return []
        cands = torch.unique(torch.cat(pools))
        scores = torch.sigmoid(base.z_dst[cands] @ z_src)
        order = torch.argsort(scores, descending=True)
        ids = base.graph.id_maps["customer"]
        ranked = [(ids[int(cands[i])], float(scores[i])) for i in order.tolist()]
        return [(c, s) for c, s in ranked if c not in exclude]

    def top(self, driver: Driver, *, base: Base, customer_id: str, z_src: Tensor, wanted: set[str],
            exclude: set[str], k: int) -> list[ScoredCandidate]:
        if k <= 0:
            return []
        return first_eligible(driver, customer_id=customer_id, k=k,
                              ranked=self.ranked(base=base, z_src=z_src, wanted=wanted, exclude=exclude))


def chunk_size(k: int) -> int:
    """How many ranked candidates to check for eligibility at a time to fill k places."""
    return max(3 * k, 50)


def first_eligible(driver: Driver, *, customer_id: str, ranked: list[tuple[str, float]], k: int,
                   start: int = 0) -> list[ScoredCandidate]:
    """The first k candidates of `ranked[start:]` that `customer_id` may meet now (checked chunk by chunk)."""
    out: list[ScoredCandidate] = []
    chunk = chunk_size(k)
    for begin in range(start, len(ranked), chunk):
        part = ranked[begin:begin + chunk]
        ok = set(eligible_candidates(driver, customer_id=customer_id, candidate_ids=[c for c, _ in part]))
        out += [ScoredCandidate(c, s) for c, s in part if c in ok]
        if len(out) >= k:
            break
    return out[:k]


def load_current(settings: Settings) -> Scorer | None:
    """The promoted model, or None when nothing has been promoted yet (callers fall back to the category rule)."""
    version = artifacts.current_version(settings)
    if version is None:
        return None
    return load_version(settings, version)


def load_version(settings: Settings, version: str) -> Scorer:
    torch.set_num_threads(max(1, settings.torch_threads))
    art = artifacts.load(settings, version)
    model, spec, config = restore(art)
    return Scorer(version=version, model=model, spec=spec, config=config, settings=settings)
