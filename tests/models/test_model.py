"""The encoder and decoder: one code path for a homogeneous graph and, through to_hetero, for the bank."""

import pytest
import torch
from torch_geometric.utils import negative_sampling

from models import ModelError
from models.data import METADATA
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
    assert set(z) == set(dims) and z["customer"].shape == (3, 8)
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
