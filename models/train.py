"""`icrm train` end to end: export, split, train, save the artifact, and promote it only if it beats the current one.

The current model is re-scored on the NEW validation period (same referrals, its own feature columns), so the
comparison is like for like; if it cannot be re-scored, its stored validation metrics are used instead.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import torch
from neo4j import Driver

from graph.settings import Settings
from models import ModelError, artifacts
from models.data import Split, TrainingGraph, build_graph, export_graph, temporal_split
from models.features import FeatureSpec
from models.fit import TrainConfig, build_model, embed_all, evaluate, score_pairs, train_model
from models.model import HeteroLinkModel

PROMOTION_METRIC = "mrr"
__all__ = ["TrainConfig", "TrainResult", "build_model", "embed_all", "evaluate", "restore", "run", "score_pairs",
           "train_model"]


@dataclass
class TrainResult:
    version: str
    metrics: dict
    promoted: bool
    artifact_dir: Path
    reason: str = ""
    history: list[dict] = field(default_factory=list)


def restore(artifact: artifacts.Artifact) -> tuple[HeteroLinkModel, FeatureSpec, TrainConfig]:
    """The model of a saved artifact, ready to score, with the feature columns it was trained on."""
    try:
        spec = FeatureSpec(**artifact.config["features"])
        config = TrainConfig(**artifact.config["model"])
    except (KeyError, TypeError) as exc:
        raise ModelError(f"artifact {artifact.version} has an unreadable config: {exc}") from exc
    model = build_model(spec, config)
    try:
        model.load_state_dict(artifact.state_dict)
    except RuntimeError as exc:
        raise ModelError(f"artifact {artifact.version} does not match the model code: {exc}") from exc
    model.eval()
    return model, spec, config


def _iso(ts: float) -> str | None:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat() if math.isfinite(ts) else None


def current_on_new_split(settings: Settings, graph: TrainingGraph, split: Split, *, seed: int) -> dict | None:
    version = artifacts.current_version(settings)
    if version is None:
        return None
    try:
        art = artifacts.load(settings, version)
    except ModelError:
        return None
    try:
        model, spec, _ = restore(art)
        same = graph if spec == graph.spec else build_graph(graph.raw, spec=spec, settings=settings)
        return {"version": version, "rescored": True, **evaluate(model, same, split, stage="val", seed=seed)}
    except (ModelError, RuntimeError, KeyError, ValueError):
        return {"version": version, "rescored": False, **art.metrics.get("val", {})}


def _beats(new: dict, old: dict | None) -> tuple[bool, str]:
    if old is None:
        return True, "no current model"
    a, b = new.get(PROMOTION_METRIC, float("nan")), old.get(PROMOTION_METRIC, float("nan"))
    if math.isnan(a):
        return False, "the new model has no validation score"
    if b is None or math.isnan(b) or a > b:
        return True, f"validation {PROMOTION_METRIC} {a:.4f} beats the current model's {b:.4f}"
    return False, f"validation {PROMOTION_METRIC} {a:.4f} does not beat the current model's {b:.4f}"


def run(driver: Driver, *, settings: Settings, epochs: int | None = None, seed: int = 0, force: bool = False,
        progress: bool = True, text: bool = True, config: TrainConfig | None = None,
        on_epoch: Callable[[int, dict], None] | None = None) -> TrainResult:
    """Export, train, save a versioned artifact; promote it if it beats the current model (or `force`)."""
    torch.set_num_threads(max(1, settings.torch_threads))
    config = config or TrainConfig()
    if epochs is not None:
        config.epochs = epochs
    started = time.perf_counter()
    graph = export_graph(driver, settings=settings, text=text)
    split = temporal_split(graph)
    exported = time.perf_counter() - started
    model, history = _train(graph, split, config=config, seed=seed, progress=progress, on_epoch=on_epoch)
    val = evaluate(model, graph, split, stage="val", seed=seed)
    metrics: dict = {"val": val, "test": evaluate(model, graph, split, stage="test", seed=seed),
               "epochs_run": len(history), "export_s": exported, "train_s": time.perf_counter() - started - exported,
               "history": history}
    current = current_on_new_split(settings, graph, split, seed=seed)
    metrics["current_val"] = current
    better, reason = _beats(val, current)
    version = artifacts.new_version()
    folder = artifacts.save(
        settings, version=version, state_dict=model.state_dict(),
        config={"version": version, "model": config.to_dict(), "features": graph.spec.to_dict(), "seed": seed},
        id_map={**graph.id_maps, "owners": graph.owners()}, metrics=metrics,
        snapshot={"snapshot_id": graph.snapshot_id, "val_cutoff": _iso(split.val_cutoff),
                  "test_cutoff": _iso(split.test_cutoff),
                  "counts": {t: len(ids) for t, ids in graph.id_maps.items()} | {
                      "referrals": int(graph.referrals.size(1))},
                  "exported_at": datetime.now(UTC).isoformat()})
    promoted = force or better
    if force and not better:
        reason = f"forced ({reason})"
    if promoted:
        artifacts.promote(settings, version)
    return TrainResult(version=version, metrics=metrics, promoted=promoted, artifact_dir=folder, reason=reason,
                       history=history)


def _train(graph: TrainingGraph, split: Split, *, config: TrainConfig, seed: int, progress: bool,
           on_epoch: Callable[[int, dict], None] | None) -> tuple[HeteroLinkModel, list[dict]]:
    if not progress:
        return train_model(graph, split, config=config, seed=seed, on_epoch=on_epoch)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
               TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("train", total=config.epochs, info="")

        def tick(epoch: int, row: dict) -> None:
            bar.update(task, completed=epoch, info=f"loss {row['loss']:.3f}  val MRR {row['val_mrr']:.3f}")
            if on_epoch:
                on_epoch(epoch, row)

        model, history = train_model(graph, split, config=config, seed=seed, on_epoch=tick)
        bar.update(task, total=len(history), completed=len(history))
    return model, history
