"""Top providers for many customers at once: one score matrix per need category, masked, `topk`, merged.

A customer is ranked only against providers of a category that one of its open needs is in, so the work is the
sum over categories of (customers needing it x providers offering it), not every customer x every provider.
The caller passes only customers who may take part and the pairs to leave out; `models.suggest.rank_all`
confirms what it keeps with the one pair rule (`graph.eligibility.eligible_pairs`).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import torch
from torch import Tensor

MAX_BLOCK = 1 << 22  # score-matrix entries per block (16 MiB of float32): bounds memory at any bank size


@dataclass(frozen=True)
class TopProviders:
    """Each needer's best providers, grouped by needer (ascending), best first within a needer."""

    needer: Tensor    # [M] customer index
    provider: Tensor  # [M] customer index
    score: Tensor     # [M] probability of a deal
    rank: Tensor      # [M] 0-based place in the needer's list


def _progress(items: list[int], enabled: bool) -> Iterable[int]:
    if not enabled:
        return items
    from rich.progress import track

    return track(items, description="ranking", transient=False)


def _blocks(*, z_src: Tensor, z_dst: Tensor, wanted: Tensor, offered: Tensor, excluded: Tensor, num_customers: int,
            k: int, progress: bool) -> Iterator[tuple[Tensor, Tensor, Tensor]]:
    """(needer, provider, logit) of each category block's top k, masked pairs left out."""
    row_of = torch.full((num_customers,), -1, dtype=torch.long)
    col_of = torch.full((num_customers,), -1, dtype=torch.long)
    for cat in _progress(torch.unique(wanted[1]).tolist(), progress):
        cols = torch.unique(offered[0][offered[1] == cat])
        if cols.numel() == 0:
            continue
        rows_all = torch.unique(wanted[0][wanted[1] == cat])
        col_of[cols] = torch.arange(cols.numel())
        ex_col = col_of[excluded[1]]
        dst = z_dst[cols].T.contiguous()
        step = max(1, MAX_BLOCK // cols.numel())
        for start in range(0, rows_all.numel(), step):
            rows = rows_all[start:start + step]
            logits = z_src[rows] @ dst
            row_of[rows] = torch.arange(rows.numel())
            ex_row = row_of[excluded[0]]
            hit = (ex_row >= 0) & (ex_col >= 0)
            logits[ex_row[hit], ex_col[hit]] = float("-inf")
            row_of[rows] = -1
            top = logits.topk(min(k, cols.numel()), dim=1)
            ok = top.values > float("-inf")
            yield rows[:, None].expand_as(ok)[ok], cols[top.indices[ok]], top.values[ok]
        col_of[cols] = -1


def top_providers(*, z_src: Tensor, z_dst: Tensor, wanted: Tensor, offered: Tensor, excluded: Tensor,
                  num_customers: int, k: int, progress: bool = False) -> TopProviders:
    """Each needer's k best providers by `z_src[needer] . z_dst[provider]`.

    `wanted` [2, W]: (needer, category) of each open need; `offered` [2, V]: (provider, category) of each
    capability; `excluded` [2, X]: (needer, provider) pairs never to propose (the caller adds self-pairs).
    """
    parts = list(_blocks(z_src=z_src, z_dst=z_dst, wanted=wanted, offered=offered, excluded=excluded,
                         num_customers=num_customers, k=k, progress=progress))
    if not parts:
        empty = torch.empty(0, dtype=torch.long)
        return TopProviders(empty, empty, torch.empty(0), empty)
    needer, provider, logit = (torch.cat(p) for p in zip(*parts, strict=True))
    # a provider serving two of the needer's categories appears once per category: keep one
    key, inverse = torch.unique(needer * num_customers + provider, return_inverse=True)
    logit = torch.full((key.numel(),), float("-inf")).scatter_reduce(0, inverse, logit, reduce="amax")
    needer, provider = key // num_customers, key % num_customers
    # order by needer, then best logit, then provider index (stable sorts, last key first)
    order = torch.argsort(-logit, stable=True)
    order = order[torch.argsort(needer[order], stable=True)]
    needer, provider, logit = needer[order], provider[order], logit[order]
    _, counts = torch.unique_consecutive(needer, return_counts=True)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.arange(needer.numel()) - torch.repeat_interleave(starts, counts)
    keep = rank < k
    return TopProviders(needer[keep], provider[keep], torch.sigmoid(logit[keep]), rank[keep])
