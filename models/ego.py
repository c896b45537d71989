"""The computation graph of one customer, read live: its own nodes are new, everything around it comes from the
base graph the scorer holds. With L layers only nodes within L - 1 hops need their incoming edges, so the
customer's embedding equals the one a full re-export would give (up to neighbours' own changes since then).
"""

from collections import defaultdict
from dataclasses import dataclass, field

import torch
from torch import Tensor

EdgeType = tuple[str, str, str]
Key = tuple[str, int]  # ("b", base index) or ("n", index among the new nodes of that type)


@dataclass
class Overlay:
    """New nodes (feature rows per type) and the edges that touch them; customer ("n", 0) is the root."""

    x: dict[str, Tensor]
    edges: dict[EdgeType, list[tuple[Key, Key]]] = field(default_factory=lambda: defaultdict(list))
    replaces: int | None = None  # base index of the root's old self, whose base edges are ignored


class EgoBuilder:
    def __init__(self, x: dict[str, Tensor], edges: dict[EdgeType, Tensor], *, num_layers: int) -> None:
        self.x = x
        self.num_layers = num_layers
        self.incoming: dict[EdgeType, tuple[Tensor, Tensor]] = {}
        self.into: dict[str, list[EdgeType]] = defaultdict(list)
        for et, ei in edges.items():
            n_dst = x[et[2]].size(0)
            order = torch.argsort(ei[1], stable=True)
            ptr = torch.zeros(n_dst + 1, dtype=torch.long)
            ptr[1:] = torch.cumsum(torch.bincount(ei[1], minlength=n_dst), 0)
            self.incoming[et] = (ptr, ei[0][order])
            self.into[et[2]].append(et)

    def build(self, overlay: Overlay) -> tuple[dict[str, Tensor], dict[EdgeType, Tensor], int]:
        """Inputs for the model on the root's L-hop in-neighbourhood, and the root's local customer index."""
        overlay_in: dict[EdgeType, dict[Key, list[Key]]] = defaultdict(lambda: defaultdict(list))
        for et, pairs in overlay.edges.items():
            for s, d in pairs:
                overlay_in[et][d].append(s)
        local: dict[str, dict[Key, int]] = defaultdict(dict)
        local["customer"][("n", 0)] = 0
        collected: dict[EdgeType, list[tuple[Key, Key]]] = defaultdict(list)
        frontier: list[tuple[str, Key]] = [("customer", ("n", 0))]
        for _ in range(self.num_layers):
            nxt: list[tuple[str, Key]] = []
            for node_type, key in frontier:
                for et in self.into[node_type]:
                    sources = list(overlay_in[et].get(key, []))
                    if key[0] == "b":
                        ptr, src = self.incoming[et]
                        base = src[ptr[key[1]]:ptr[key[1] + 1]].tolist()
                        if et[0] == "customer" and overlay.replaces is not None:
                            base = [i for i in base if i != overlay.replaces]
                        sources += [("b", i) for i in base]
                    for s in sources:
                        collected[et].append((s, key))
                        if s not in local[et[0]]:
                            local[et[0]][s] = len(local[et[0]])
                            nxt.append((et[0], s))
            frontier = nxt
        x_out: dict[str, Tensor] = {}
        for node_type, base_x in self.x.items():
            keys = sorted(local[node_type].items(), key=lambda kv: kv[1])
            new_x = overlay.x.get(node_type, base_x[:0])
            rows = [new_x[k[1]] if k[0] == "n" else base_x[k[1]] for k, _ in keys]
            x_out[node_type] = torch.stack(rows) if rows else base_x[:0]
        e_out = {}
        for et in self.incoming:
            pairs = collected.get(et, [])
            e_out[et] = torch.tensor([[local[et[0]][s] for s, _ in pairs], [local[et[2]][d] for _, d in pairs]],
                                     dtype=torch.long).reshape(2, -1)
        return x_out, e_out, 0
