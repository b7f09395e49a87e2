"""Kiwi's analysis options and batching, measured against the default `Kiwi()` in the same process.

    .venv/bin/python benchmarks/kiwi_options.py                       # demo stories + 60 synthetic articles
    .venv/bin/python benchmarks/kiwi_options.py --synthetic 40 --quick  # a fast look (fewer variants/batches)
    .venv/bin/python benchmarks/kiwi_options.py --json                # one JSON document
    .venv/bin/python benchmarks/kiwi_options.py --only options,quality  # skip the batching part
    .venv/bin/python benchmarks/kiwi_options.py --only options --variants user_dict --repeat 9

**Corpus.** `title + "\n" + body` of every demo story (demo/data/stories_*.json: hand-written,
article-like) and of `--synthetic N` synthetic articles (`_synthetic.articles`, originals and near
copies only, no exact copies).

**Options** (`--only options`). Each variant is one analysis configuration: a `Kiwi(...)` built
with its constructor options (one at a time, dropped after use) and the `tokenize(...)` keyword
arguments it needs. Kiwi runs with `num_workers=0` (everything on the calling thread), so the
thread's CPU time measures the analysis alone, which the shared machine's load disturbs much less
than wall time. Before each variant's pass, the baseline (`Kiwi()`, default arguments) analyses
the same corpus again, alternating `--repeat` times, and each side's fastest pass counts, so every
ratio is "variant chars per CPU-second / the baseline's, measured beside it". Printed per variant:
that speed ratio, the share of texts whose morphemes change, the share of baseline morphemes
(form/tag) that a diff (difflib) does not match, the share of nouns (NNG/NNP/SL/SH) added or
lost (multiset difference / baseline nouns), the model load time (constructor + first call), and
a few changed spans from the corpus.

**Quality** (`--only quality`). A few invented sentences with deliberate typos, missing or extra
spaces and user-dictionary terms; for each variant, the nouns where they differ from the baseline's
(and `Kiwi.space()`'s output for the spacing sentences).

**Batching** (`--only batch`). The production configuration (`Tokenizer`'s options and bundled
dictionary) with Kiwi `num_workers` 1 and 2, texts handed over in lists of `--batches` sizes
(`tokenize(list)` per chunk; "all" = one list) and as one lazy generator (what `Tokenizer.stream`
does), against `num_workers=0` one text at a time. Wall time and process CPU time, the fastest of
`--repeat` passes each.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import json
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import articles

from demo.content import load_stories
from pipelines.tokenize import NOUN_TAGS, Tokenizer

warnings.simplefilter("ignore", DeprecationWarning)  # kiwipiepy: num_workers=0, deprecated properties

USER_DICT = Path(__file__).resolve().parent.parent / "pipelines" / "data" / "user_dict.tsv"

# Invented sentences: typos (ㅅ for ㅆ, swapped/missing letters), missing spaces, extra spaces, our
# dictionary's terms. (label, text)
QUALITY: tuple[tuple[str, str], ...] = (
    ("typo ㅆ→ㅅ", "시흥시는 기업 설명회를 열엇다고 밝혓다. 참석자는 \"지원이 부족하다\"고 말햇다."),
    ("typo letters", "인천시는 바이오 기업 유치를 위해 예싼을 늘리기로 햇으며 다음달 공고를 낼 계획이다."),
    ("typo ending", "구청 관계자는 \"주민 의견을 충분히 듣겟습니다\"라고 말했다."),
    ("typo ㅆ→ㅅ 2", "관계자는 \"예산이 부족해 어려움이 잇다\"며 \"대책을 찾겟다\"고 햇다."),
    ("no spaces", "인천경제자유구역청은송도국제도시에바이오특화단지를조성한다고밝혔다."),
    ("few spaces", "시흥시청관계자는배곧신도시 교통대책을 다음달발표한다고 설명했다."),
    ("extra spaces", "송도 국제 도시의 바이 오 기업 들이 공동 연구 에 들어 갔다."),
    ("user dict", "인천경제자유구역청과 인천경제청은 송도국제도시 바이오특화단지에 바이오클러스터를 만든다."),
    ("user dict 2", "배곧신도시와 시흥시 바이오헬스 기업들이 특화단지 지정을 환영했다."),
    ("edited copy", "연수구의회는 다음 달 4일부터 행정사무감사를 열어 주차난과 학교 과밀 문제를 집중 점검한다."),
)


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    init: dict[str, Any] = field(default_factory=dict)  # Kiwi(...) options
    call: dict[str, Any] = field(default_factory=dict)  # tokenize(...) options
    user_dict: bool = False  # add pipelines/data/user_dict.tsv
    space_tolerance: int | None = None  # Kiwi.global_config.space_tolerance


VARIANTS: tuple[Variant, ...] = (
    Variant("user_dict (bundled, current)", user_dict=True),
    Variant("typos='basic'", call={"typos": "basic"}),
    Variant("typos='continual'", call={"typos": "continual"}),
    Variant("typos='basic_with_continual'", call={"typos": "basic_with_continual"}),
    Variant("normalize_coda=True", call={"normalize_coda": True}),
    Variant("z_coda=False", call={"z_coda": False}),
    Variant("split_complex=True", call={"split_complex": True}),
    Variant("saisiot=False", call={"saisiot": False}),
    Variant("space_tolerance=2", space_tolerance=2),
    Variant("model_type='cong-global'", init={"model_type": "cong-global"}),
    Variant("load_typo_dict=False", init={"load_typo_dict": False}),
    Variant("load_multi_dict=False", init={"load_multi_dict": False}),
)
QUICK = ("user_dict (bundled, current)", "typos='basic'", "normalize_coda=True", "split_complex=True",
         "space_tolerance=2")


def corpus(n_synthetic: int) -> list[str]:
    texts = []
    for s in load_stories():
        body = "\n".join(p for p in (s.subtitle, s.lead, *s.paragraphs) if p)
        texts.append(f"{s.titles[0]}\n{body}")
    texts += [f"{a.title}\n{a.body}" for a in articles(max(n_synthetic, 0) * 10 // 7 + 1) if a.kind != "exact"
              ][:n_synthetic]
    return texts


def build(v: Variant, num_workers: int = 0) -> Any:
    from kiwipiepy import Kiwi

    kiwi = Kiwi(num_workers=num_workers, **v.init)
    if v.space_tolerance is not None:
        kiwi.global_config.space_tolerance = v.space_tolerance
    if v.user_dict:
        for line in USER_DICT.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                parts = line.split("\t")
                kiwi.add_user_word(parts[0], parts[1], float(parts[2]))
    return kiwi


Morphs = list[tuple[str, str]]


def analyse(kiwi: Any, v: Variant, texts: Sequence[str]) -> tuple[list[Morphs], float]:
    """Morphemes of every text and the calling thread's CPU seconds (num_workers=0: all of Kiwi's work)."""
    out: list[Morphs] = []
    t0 = time.thread_time()
    for text in texts:
        out.append([(t.form, t.tag) for t in kiwi.tokenize(text, **v.call)])
    return out, time.thread_time() - t0


def changes(base: list[Morphs], other: list[Morphs]) -> dict[str, float]:
    texts = morphs = nouns_changed = 0
    total = total_nouns = 0
    for a, b in zip(base, other, strict=True):
        total += len(a)
        na = Counter(f for f, t in a if t in NOUN_TAGS)
        nb = Counter(f for f, t in b if t in NOUN_TAGS)
        total_nouns += sum(na.values())
        if a == b:
            continue
        texts += 1
        sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
        morphs += len(a) - sum(block.size for block in sm.get_matching_blocks())
        nouns_changed += sum(((na - nb) + (nb - na)).values())
    return {"texts_changed": texts / len(base), "morphemes_changed": morphs / max(total, 1),
            "nouns_changed": nouns_changed / max(total_nouns, 1)}


def run_options(texts: list[str], names: Iterable[str], repeat: int) -> dict[str, Any]:
    chars = sum(map(len, texts))
    baseline = Variant("baseline Kiwi()")
    t0 = time.perf_counter()
    base_kiwi = build(baseline)
    base_kiwi.tokenize("")
    base_load = time.perf_counter() - t0
    base_morphs, _ = analyse(base_kiwi, baseline, texts[:5])  # warm-up
    rows: list[dict[str, Any]] = []
    wanted = set(names)
    for v in VARIANTS:
        if v.name not in wanted:
            continue
        t0 = time.perf_counter()
        kiwi = build(v)
        kiwi.tokenize("", **v.call)
        load = time.perf_counter() - t0
        analyse(kiwi, v, texts[:5])  # warm-up (typo models, dictionary rebuilds)
        base_cpu = cpu = float("inf")
        for _ in range(repeat):  # alternate, keep each side's fastest pass (least disturbed by the load)
            base_morphs, b = analyse(base_kiwi, baseline, texts)
            morphs, c = analyse(kiwi, v, texts)
            base_cpu, cpu = min(base_cpu, b), min(cpu, c)
        row = {"variant": v.name, "speed_ratio": base_cpu / cpu, "base_chars_per_cpu_s": chars / base_cpu,
               "chars_per_cpu_s": chars / cpu, "load_s": load, **changes(base_morphs, morphs),
               "examples": _examples(base_morphs, morphs, 4)}
        rows.append(row)
        print(f"  {v.name:34} ×{row['speed_ratio']:.2f}", file=sys.stderr, flush=True)
        del kiwi
        gc.collect()
    return {"texts": len(texts), "chars": chars, "baseline_load_s": base_load,
            "baseline_morphemes": sum(map(len, base_morphs)), "rows": rows}


def run_quality(names: Iterable[str]) -> dict[str, Any]:
    baseline = Variant("baseline Kiwi()")
    base = build(baseline)
    texts = [t for _, t in QUALITY]
    base_morphs, _ = analyse(base, baseline, texts)
    out: dict[str, Any] = {"baseline": {label: _nouns(m) for (label, _), m in zip(QUALITY, base_morphs, strict=True)},
                           "space": {label: base.space(t) for label, t in QUALITY if "space" in label},
                           "space_reset": {label: base.space(t, reset_whitespace=True) for label, t in QUALITY
                                           if "space" in label},
                           "diffs": {}}
    wanted = set(names)
    for v in VARIANTS:
        if v.name not in wanted:
            continue
        kiwi = build(v)
        morphs, _ = analyse(kiwi, v, texts)
        diffs = {}
        for (label, _), a, b in zip(QUALITY, base_morphs, morphs, strict=True):
            if a != b:
                diffs[label] = {"nouns": _nouns(b), "morphemes": _morph_diff(a, b)}
        out["diffs"][v.name] = diffs
        del kiwi
        gc.collect()
    return out


def _examples(base: list[Morphs], other: list[Morphs], k: int) -> list[str]:
    """Up to `k` changed spans from different texts, to see what a variant does to edited copy."""
    out = []
    for a, b in zip(base, other, strict=True):
        if a != b:
            out.append(_morph_diff(a, b)[:160])
            if len(out) == k:
                break
    return out


def _nouns(m: Morphs) -> str:
    return " ".join(f for f, t in m if t in NOUN_TAGS)


def _morph_diff(a: Morphs, b: Morphs) -> str:
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":
            old = " ".join(f"{f}/{t}" for f, t in a[i1:i2])
            new = " ".join(f"{f}/{t}" for f, t in b[j1:j2])
            parts.append(f"{old or '∅'} → {new or '∅'}")
    return "; ".join(parts)


def run_batches(texts: list[str], sizes: list[int | None], workers: list[int], repeat: int) -> dict[str, Any]:
    chars = sum(map(len, texts))
    rows: list[dict[str, Any]] = []

    def timed(label: str, n: int, fn: Callable[[], int]) -> dict[str, Any]:
        wall = cpu = float("inf")
        for _ in range(repeat):  # the fastest pass: the one least disturbed by the machine's load
            c0, w0 = time.process_time(), time.perf_counter()
            count = fn()
            wall, cpu = min(wall, time.perf_counter() - w0), min(cpu, time.process_time() - c0)
        return {"mode": label, "workers": n, "wall_s": wall, "cpu_s": cpu, "chars_per_s": chars / wall,
                "morphemes": count}

    tok0 = Tokenizer(num_workers=0)
    tok0.tokenize_many(texts[:3])
    base = timed("one text per call", 0, lambda: sum(len(t) for t in tok0.stream(texts)))
    rows.append(base)
    for n in workers:
        tok = Tokenizer(num_workers=n)
        kiwi = tok._kiwi  # the configured Kiwi: same options and dictionary as production
        tok.tokenize_many(texts[:3])
        for size in sizes:
            step = size or len(texts)

            def chunked(step: int = step, kiwi: Any = kiwi) -> int:
                return sum(len(r) for i in range(0, len(texts), step) for r in kiwi.tokenize(texts[i:i + step]))

            rows.append(timed(f"lists of {size or 'all'}", n, chunked))
        rows.append(timed("lazy generator (Tokenizer.stream)", n,
                          lambda tok=tok: sum(len(r) for r in tok.stream(iter(texts)))))
        del tok, kiwi
        gc.collect()
    for r in rows:
        r["ratio"] = r["chars_per_s"] / base["chars_per_s"]
    return {"texts": len(texts), "chars": chars, "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--synthetic", type=int, default=60, help="synthetic articles added to the demo stories")
    ap.add_argument("--only", default="options,quality,batch", help="comma list of: options, quality, batch")
    ap.add_argument("--repeat", type=int, default=3, help="alternating baseline/variant passes per variant")
    ap.add_argument("--quick", action="store_true", help="fewer variants")
    ap.add_argument("--variants", default="", help="only variants whose name contains one of these (comma list)")
    ap.add_argument("--batches", default="1,16,64,256,0", help="batch sizes (0 = all texts in one list)")
    ap.add_argument("--workers", default="1,2", help="Kiwi num_workers for the batching part")
    ap.add_argument("--json", action="store_true", help="one JSON document instead of tables")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    names = QUICK if args.quick else tuple(v.name for v in VARIANTS)
    if args.variants:
        names = tuple(n for n in names if any(part in n for part in args.variants.split(",")))
    texts = corpus(args.synthetic)
    result: dict[str, Any] = {"load_average": os.getloadavg(), "kiwipiepy": _version()}
    if "options" in parts:
        result["options"] = run_options(texts, names, args.repeat)
    if "quality" in parts:
        result["quality"] = run_quality(names)
    if "batch" in parts:
        sizes = [int(s) or None for s in args.batches.split(",")]
        result["batch"] = run_batches(texts, sizes, [int(w) for w in args.workers.split(",")],
                                      args.repeat)
    result["load_average_end"] = os.getloadavg()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        _print(result)


def _version() -> str:
    import kiwipiepy

    return str(kiwipiepy.__version__)


def _print(r: dict[str, Any]) -> None:
    la0, la1 = r["load_average"], r["load_average_end"]
    print(f"kiwipiepy {r['kiwipiepy']}; load average {la0[0]:.1f} at start, {la1[0]:.1f} at end")
    if "options" in r:
        o = r["options"]
        print(f"\nOptions: {o['texts']} texts, {o['chars']:,} chars, {o['baseline_morphemes']:,} baseline "
              f"morphemes; baseline load {o['baseline_load_s']:.1f} s")
        print(f"{'variant':34} {'speed×':>7} {'chars/CPU-s':>12} {'texts Δ':>8} {'morph Δ':>8} {'nouns Δ':>8} "
              f"{'load s':>7}")
        for row in o["rows"]:
            print(f"{row['variant']:34} {row['speed_ratio']:7.2f} {row['chars_per_cpu_s']:12,.0f} "
                  f"{row['texts_changed']:8.1%} {row['morphemes_changed']:8.2%} {row['nouns_changed']:8.2%} "
                  f"{row['load_s']:7.1f}")
        for row in o["rows"]:
            for ex in row["examples"]:
                print(f"  {row['variant']:34} e.g. {ex}")
    if "quality" in r:
        q = r["quality"]
        print("\nQuality sentences, baseline nouns:")
        for label, nouns in q["baseline"].items():
            print(f"  {label:14} {nouns}")
        for label, text in q["space"].items():
            print(f"  Kiwi.space({label}): {text}")
        for label, text in q["space_reset"].items():
            print(f"  Kiwi.space({label}, reset_whitespace=True): {text}")
        for name, diffs in q["diffs"].items():
            print(f"\n  {name}: {len(diffs)} of {len(q['baseline'])} sentences change")
            for label, d in diffs.items():
                print(f"    {label:14} {d['morphemes']}")
    if "batch" in r:
        b = r["batch"]
        print(f"\nBatching (Tokenizer's configuration): {b['texts']} texts, {b['chars']:,} chars")
        print(f"{'mode':36} {'workers':>7} {'wall s':>7} {'CPU s':>7} {'chars/s':>9} {'ratio':>6}")
        for row in b["rows"]:
            print(f"{row['mode']:36} {row['workers']:7} {row['wall_s']:7.1f} {row['cpu_s']:7.1f} "
                  f"{row['chars_per_s']:9,.0f} {row['ratio']:6.2f}")


if __name__ == "__main__":
    main()
