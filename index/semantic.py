"""Meaning: sentence vectors from all-MiniLM-L6-v2, run with onnxruntime (no torch).

BM25 finds passages that share the question's words; people ask in their own ("the head of
NATO" for "NATO Secretary General"). A sentence-embedding model places a question and the
passage that answers it close together even when they share no word. The model ships in
``index/data/minilm/`` as ONNX (converted once from the upstream weights by
``scripts/export_minilm.py``; provenance and licence beside it), and is checked against
its published hash the first time it is loaded in a process.

Vectors are unit length, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH = 32  # passages per forward pass: longer batches pad more, shorter ones cost calls
MEMO = 20_000  # vectors kept per process (30 MB): texts seen again are not encoded again
# sha256 of the shipped files (PROVENANCE.md says how they were made).
MODEL_SHA256 = "c07ccaa69d5b87521b23336d018388680a41b5dadc4c3b9d54f343b9bec664ef"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


def model_text(title: str, text: str, start: int, end: int, h_start: int, h_end: int) -> str:
    """What a passage is encoded as: its heading and text, after its article's title.

    The title says what the passage is about where the passage itself only says "he" or
    "the alliance".
    """
    heading = text[h_start:h_end] if h_start >= 0 else ""
    return "\n".join(part for part in (title, heading, text[start:end]) if part)


class ModelUnavailable(RuntimeError):
    """The shipped model files are missing or not the ones published."""


def model_dir() -> Path:
    """Where the model files ship."""
    return Path(str(resources.files("index").joinpath("data/minilm")))


class Encoder:
    """Text in, unit vectors out: tokenizer and ONNX session, loaded once per process."""

    def __init__(self, folder: Path | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        model = _verified(folder / "model.onnx", MODEL_SHA256)
        tokenizer = _verified(folder / "tokenizer.json", TOKENIZER_SHA256)
        self.tokenizer = Tokenizer.from_str(tokenizer.decode("utf-8"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = min(os.cpu_count() or 1, 4)
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            model, options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._memo: dict[str, np.ndarray] = {}  # text -> vector, oldest first
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector (float32) per text, in order.

        Texts longer than the model's window are cut at ``MAX_TOKENS`` tokens, as
        sentence-transformers does.
        """
        out = np.zeros((len(texts), DIMENSIONS), np.float32)
        with self._lock:
            known = [self._memo.get(text) for text in texts]
        missing = [i for i, vector in enumerate(known) if vector is None]
        for i, vector in enumerate(known):
            if vector is not None:
                out[i] = vector
        if missing:
            encodings = self.tokenizer.encode_batch([texts[i] for i in missing])
            # Batches of similar length pad little: sort by length, put results in place.
            order = sorted(range(len(missing)), key=lambda j: len(encodings[j].ids))
            for start in range(0, len(order), BATCH):
                chosen = order[start : start + BATCH]
                out[[missing[j] for j in chosen]] = self._run([encodings[j] for j in chosen])
            self._remember({texts[i]: out[i] for i in missing})
        return out

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        """Keep recent vectors, so that a text seen again costs no model call.

        A question asked again, an article read again (a rebuild after the index was
        damaged, a benchmark's second pass): the model is the slowest stage by far.
        """
        with self._lock:
            self._memo.update(vectors)
            while len(self._memo) > MEMO:
                self._memo.pop(next(iter(self._memo)))

    def _run(self, encodings: list) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (vectors,) = self.session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})
        return vectors


def _verified(path: Path, sha256: str) -> bytes:
    """The file's bytes, if they are the ones published (a damaged model would mislead)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelUnavailable(f"the model file {path} cannot be read: {exc.strerror}") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ModelUnavailable(f"{path} is not the published model file (sha256 differs)")
    return data


_loading = threading.Lock()


@cache
def _shared() -> Encoder:
    return Encoder()


def encoder() -> Encoder:
    """The process's encoder, loaded on first use (the bot asks from several threads)."""
    with _loading:
        return _shared()
