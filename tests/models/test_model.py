"""The encoder and decoder: one code path for a homogeneous graph and, through to_hetero, for the bank."""

import pytest
import torch
from torch_geometric.utils import negative_sampling

from models import ModelError
from models.data import METADATA
from models.hetero_sage import HeteroSAGE
from models.model import HeteroLinkModel, LinkDecoder, build_encoder
from models.sampling import auc


def _two_communities(n: int = 40) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    half = n // 2
    src, dst = [], []
    for block in (range(half), range(half, n)):
        nodes = list(block)
        for _ in range(4 * len(nodes)):
            a, b = torch.randint(len(nodes), (2,), generator=g).tolist()
            if a != b:
                src += [nodes[a], nodes[b]]
                dst += [nodes[b], nodes[a]]
    return torch.tensor([src, dst])


@pytest.mark.parametrize(("conv", "norm"), [("sage", True), ("gcn", False)])
def test_homogeneous_encoder_learns_links(conv, norm):
    torch.manual_seed(0)
    ei = _two_communities()
    x = torch.eye(40)
    enc = build_encoder(in_channels=40, hidden=32, out=16, num_layers=2, dropout=0.0, conv=conv, norm=norm)
    dec = LinkDecoder(16, kind="dot")
    opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=0.01)
    for _ in range(60):
        z = enc(x, ei)
        neg = negative_sampling(ei, num_nodes=40)
        logits = torch.cat([dec(z, z, ei), dec(z, z, neg)])
        labels = torch.cat([torch.ones(ei.size(1)), torch.zeros(neg.size(1))])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        z = enc(x, ei)
        a, b = torch.meshgrid(torch.arange(40), torch.arange(40), indexing="ij")
        same = (a < 20) == (b < 20)
        pairs = torch.stack([a.flatten(), b.flatten()])
        scores = dec(z, z, pairs)
        assert auc(scores[same.flatten()], scores[~same.flatten()]) > 0.8  # random scoring: 0.5


def test_hetero_model_scores_needer_provider_pairs_asymmetrically():
    torch.manual_seed(0)
    dims = {"customer": 6, "need": 3, "capability": 4, "category": 2}
    model = HeteroLinkModel(metadata=METADATA, in_dims=dims, hidden=8, out=8).eval()
    x = {t: torch.randn(3, d) for t, d in dims.items()}
    edges = {et: torch.zeros(2, 0, dtype=torch.long) for et in METADATA[1]}
    z = model.encode(x, edges)
    assert z["customer"].shape == (3, 8)
    ab, ba = model(x, edges, torch.tensor([[0], [1]])), model(x, edges, torch.tensor([[1], [0]]))
    assert not torch.allclose(ab, ba), "needing A -> providing B is not the same question as B -> A"
    full = model.decoder.score_matrix(z["customer"], z["customer"])
    assert torch.allclose(full[0, 1], ab[0], atol=1e-5)
    with pytest.raises(ModelError, match="columns"):
        model.encode({**x, "need": torch.randn(3, 5)}, edges)


def test_bad_configuration_is_a_clear_error():
    with pytest.raises(ModelError):
        build_encoder(in_channels=4, hidden=4, out=4, num_layers=0)
    with pytest.raises(ModelError):
        LinkDecoder(4, kind="mlp-of-dreams")


def _random_hetero_graph(sizes: dict[str, int], gen: torch.Generator) -> dict[tuple, torch.Tensor]:
    edges = {}
    for et in METADATA[1]:
        m = 3 * max(sizes[et[0]], sizes[et[2]])
        edges[et] = torch.stack([torch.randint(sizes[et[0]], (m,), generator=gen),
                                 torch.randint(sizes[et[2]], (m,), generator=gen)])
    edges[METADATA[1][-1]] = edges[METADATA[1][-1]][:, :0]  # an edge type with no edges: its mean is zero
    return edges


@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_hetero_encoder_computes_what_to_hetero_computes_with_the_same_weights(num_layers):
    # HeteroSAGE skips work and reorders products; a saved to_hetero state must give the same embeddings
    from torch_geometric.nn import to_hetero

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    sizes = {"customer": 30, "need": 70, "capability": 20, "category": 4}  # both sides of mean(x) W = mean(x W)
    x = {t: torch.randn(n, 16, generator=gen) for t, n in sizes.items()}
    edges = _random_hetero_graph(sizes, gen)
    reference = to_hetero(build_encoder(in_channels=16, hidden=16, out=8, num_layers=num_layers, dropout=0.3),
                          METADATA, aggr="sum")
    reference(x, edges)  # materialise any lazy shapes before copying the state
    ours = HeteroSAGE(metadata=METADATA, hidden=16, out=8, num_layers=num_layers, dropout=0.3)
    ours.load_state_dict(reference.state_dict())  # strict: the parameter names are to_hetero's
    reference.eval()
    ours.eval()
    with torch.no_grad():
        want, got = reference(x, edges)["customer"], ours(x, edges)["customer"]
    assert set(ours(x, edges)) == {"customer"}
    assert torch.allclose(want, got, atol=1e-5), (want - got).abs().max()
