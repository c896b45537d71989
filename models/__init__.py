"""Everything that touches PyTorch: export to PyG, features, the GNN, training, artifacts, scoring, suggestions."""


class ModelError(Exception):
    """Root of every error raised by models/ (bad config, missing artifact, incompatible data)."""
