"""The training loop: supervision from referral outcomes, no leakage, early stopping on validation MRR, best state kept.

Each step splits the training-period referrals at random into message-passing edges and supervision edges, so a
pair the model is asked about is never an edge it can see; validation sees only referrals before its cut-off.
"""

import copy
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as Fn
from torch import Tensor

from models.data import METADATA, Split, TrainingGraph, graph_referrals_before, stage_inputs
from models.features import FeatureSpec
from models.model import HeteroLinkModel
from models.sampling import NegativeSampler, auc, ranking_metrics


@dataclass
class TrainConfig:
    hidden: int = 64
    out: int = 64
    num_layers: int = 2
    dropout: float = 0.2
    decoder: str = "bilinear"
    lr: float = 0.001
    weight_decay: float = 1e-5
    epochs: int = 200
    patience: int = 40
    mp_frac: float = 0.7       # share of training referrals used for message passing in a step
    neg_ratio: int = 4         # sampled negatives per positive
    hard_weight: float = 1.0   # loss weight of declined / no_deal pairs
    listwise: int = 512        # providers each deal is ranked against in the softmax term (0: BCE only)

    def to_dict(self) -> dict:
        return asdict(self)


def build_model(spec: FeatureSpec, config: TrainConfig) -> HeteroLinkModel:
    return HeteroLinkModel(metadata=METADATA, in_dims=spec.dims(), hidden=config.hidden, out=config.out,
                           num_layers=config.num_layers, dropout=config.dropout, decoder=config.decoder)


@torch.no_grad()
def embed_all(model: HeteroLinkModel, graph: TrainingGraph, *, before: float | None = None) -> dict[str, Tensor]:
    """Embeddings of every node, passing messages over the referrals created before `before` (None: all)."""
    model.eval()
    x, edges = stage_inputs(graph, graph_referrals_before(graph, before))
    return model.encode(x, edges)


@torch.no_grad()
def score_pairs(model: HeteroLinkModel, z: dict[str, Tensor], pairs: Tensor) -> Tensor:
    """Probability that each (needer, provider) customer-index pair in `pairs` ([2, N]) ends in a deal."""
    zc = z["customer"]
    return torch.sigmoid(model.decoder(zc, zc, pairs))


def providers(graph: TrainingGraph) -> Tensor:
    """Customers that offer at least one capability: the candidates every ranking is taken over."""
    return torch.unique(graph.data["customer", "can_provide", "capability"].edge_index[0])


@torch.no_grad()
def evaluate(model: HeteroLinkModel, graph: TrainingGraph, split: Split, *, stage: str, seed: int = 0
             ) -> dict[str, float]:
    """Filtered MRR / Hits@10 of the stage's deals over all providers, and AUC against hard + random negatives."""
    sup = getattr(split, stage)
    z = embed_all(model, graph, before=split.val_cutoff if stage == "val" else split.test_cutoff)
    pos = sup[:2, sup[2] == 1]
    cands = providers(graph)
    zc = z["customer"]
    out = {"positives": float(pos.size(1))}
    if pos.size(1) and cands.numel():
        needers = torch.unique(pos[0])
        out.update(ranking_metrics(model.decoder.score_matrix(zc[needers], zc[cands]), pos, cands))
    else:
        out.update({"mrr": float("nan"), "hits@10": float("nan")})
    gen = torch.Generator().manual_seed(seed)
    rand = torch.stack([pos[0], cands[torch.randint(len(cands), (pos.size(1),), generator=gen)]]) \
        if cands.numel() else pos[:, :0]
    neg = torch.cat([sup[:2, sup[2] == 0], rand[:, rand[0] != rand[1]]], dim=1)
    out["auc"] = auc(score_pairs(model, z, pos), score_pairs(model, z, neg))
    return out


def split_step(train: Tensor, *, mp_frac: float, gen: torch.Generator) -> tuple[Tensor, Tensor]:
    """One step's (message-passing, supervision) referrals, split by customer PAIR in either direction, so a
    supervised pair is never also visible (not through an earlier referral, nor as the reverse edge)."""
    if train.size(1) == 0:
        return train, train
    a, b = torch.minimum(train[0], train[1]), torch.maximum(train[0], train[1])
    _, pair = torch.unique(a * (int(b.max()) + 1) + b, return_inverse=True)
    see = (torch.rand(int(pair.max()) + 1, generator=gen) < mp_frac)[pair]
    return train[:, see], train[:, ~see]


def _listwise_loss(model: HeteroLinkModel, z: Tensor, pos: Tensor, providers: Tensor, size: int,
                   gen: torch.Generator) -> Tensor:
    """Softmax cross-entropy of each deal's provider against a shared sample of providers: it trains the
    ranking the product shows (MRR), where BCE alone only separates pairs."""
    cands = providers[torch.randperm(len(providers), generator=gen)[:size]]
    src = model.decoder.project_src(z[pos[0]])
    pos_logit = (src * model.decoder.project_dst(z[pos[1]])).sum(-1, keepdim=True)
    neg = src @ model.decoder.project_dst(z[cands]).T
    neg = neg.masked_fill((cands[None, :] == pos[1][:, None]) | (cands[None, :] == pos[0][:, None]), float("-inf"))
    logits = torch.cat([pos_logit, neg], dim=1)
    return Fn.cross_entropy(logits, torch.zeros(pos.size(1), dtype=torch.long))


def _better(a: float, b: float) -> bool:
    return not math.isnan(a) and (math.isnan(b) or a > b)


def train_model(graph: TrainingGraph, split: Split, *, config: TrainConfig, seed: int,
                on_epoch: Callable[[int, dict], None] | None = None) -> tuple[HeteroLinkModel, list[dict]]:
    """Train on the split's training period; returns the best-validation model and the per-epoch history."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = build_model(graph.spec, config)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    sampler = NegativeSampler(graph)
    train = split.train
    history: list[dict] = []
    best_score, best_state, best_epoch = float("nan"), copy.deepcopy(model.state_dict()), 0
    for epoch in range(1, config.epochs + 1):
        model.train()
        visible, sup = split_step(train, mp_frac=config.mp_frac, gen=gen)
        pos, hard = sup[:2, sup[2] == 1], sup[:2, sup[2] == 0]
        neg = sampler.sample(pos[0], config.neg_ratio, gen)
        pairs = torch.cat([pos, hard, neg], dim=1)
        labels = torch.cat([torch.ones(pos.size(1)), torch.zeros(hard.size(1) + neg.size(1))])
        weight = torch.cat([torch.ones(pos.size(1)), torch.full((hard.size(1),), config.hard_weight),
                            torch.ones(neg.size(1))])
        loss_value = float("nan")
        if pairs.size(1):
            x, edges = stage_inputs(graph, visible)
            z = model.encode(x, edges)["customer"]
            loss = Fn.binary_cross_entropy_with_logits(model.decoder(z, z, pairs), labels, weight=weight)
            if config.listwise and pos.size(1):
                loss = loss + _listwise_loss(model, z, pos, sampler.providers, config.listwise, gen)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            loss_value = float(loss.detach())
        val = evaluate(model, graph, split, stage="val", seed=seed)
        row = {"epoch": epoch, "loss": loss_value, "val_mrr": val["mrr"], "val_auc": val["auc"],
               "val_hits@10": val["hits@10"]}
        history.append(row)
        if on_epoch:
            on_epoch(epoch, row)
        score = val["mrr"] if not math.isnan(val["mrr"]) else val["auc"]
        if _better(score, best_score) or best_epoch == 0:
            best_score, best_state, best_epoch = score, copy.deepcopy(model.state_dict()), epoch
        elif epoch - best_epoch >= config.patience:
            break
    model.load_state_dict(best_state)
    model.eval()
    return model, history
