"""How well each sentence splitter splits the briefs of tests/data/sentences.json, per language.

    .venv/bin/python bench/sentences.py            # rule 1 (the first, A-Z) and rule 2 (Unicode)
    PYSBD_PYTHON=<a python with pysbd> ...          # also pysbd, run in that interpreter

Prints, per language, the briefs split exactly right and the sentence ends found (recall) and
how many of the ends found are real (precision). pysbd is not a dependency: give it a Python
of its own, and it is run there on the same set.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = json.loads((ROOT / "tests" / "data" / "sentences.json").read_text(encoding="utf-8"))
# pysbd's languages for ours: it has no Ukrainian, and Russian is the nearest.
PYSBD_LANGUAGE = {
    "en": "en",
    "es": "es",
    "fr": "fr",
    "de": "de",
    "ru": "ru",
    "uk": "ru",
    "el": "el",
    "zh": "zh",
    "ja": "ja",
}
PYSBD_SCRIPT = """
import json, sys, pysbd
jobs = json.load(sys.stdin)
out = [[s.strip() for s in pysbd.Segmenter(language=lang, clean=False).segment(text) if s.strip()]
       for lang, text in jobs]
json.dump(out, sys.stdout)
"""


def ends(sentences: list[str]) -> set[int]:
    """Where each sentence ends, counted in non-space characters (so spacing does not matter)."""
    positions, total = set(), 0
    for sentence in sentences:
        total += len("".join(sentence.split()))
        positions.add(total)
    return positions


def score(split) -> dict[str, tuple[int, int, int, int, int]]:
    scores = {}
    for language, spec in DATA["languages"].items():
        jobs = [(language, spec["joiner"].join(sentences)) for sentences in spec["items"]]
        got = split(jobs)
        exact = found = expected = hits = 0
        for _, want, have in zip(jobs, spec["items"], got, strict=True):
            exact += [" ".join(s.split()) for s in have] == [" ".join(s.split()) for s in want]
            w, h = ends(want), ends(have)
            expected, found, hits = expected + len(w), found + len(h), hits + len(w & h)
        scores[language] = (exact, len(jobs), hits, expected, found)
    return scores


def rule(number: int):
    from briefs.importer import split_sentences

    return lambda jobs: [split_sentences(text, rule=number) for _, text in jobs]


def pysbd(python: str):
    def split(jobs):
        mapped = [(PYSBD_LANGUAGE[language], text) for language, text in jobs]
        run = subprocess.run(
            [python, "-c", PYSBD_SCRIPT], input=json.dumps(mapped), capture_output=True, text=True, check=True
        )
        return json.loads(run.stdout)

    return split


def main() -> None:
    candidates = {"rule 1": rule(1), "rule 2": rule(2)}
    if python := os.environ.get("PYSBD_PYTHON"):
        candidates["pysbd"] = pysbd(python)
    print(f"{'splitter':8} {'lang':4} {'exact':>7} {'recall':>8} {'precision':>9}")
    for name, split in candidates.items():
        totals = [0, 0, 0, 0, 0]
        for language, (exact, briefs, hits, expected, found) in score(split).items():
            totals = [a + b for a, b in zip(totals, (exact, briefs, hits, expected, found), strict=True)]
            print(
                f"{name:8} {language:4} {exact:>3}/{briefs:<3} {hits / expected:>8.0%} {hits / max(found, 1):>9.0%}"
            )
        exact, briefs, hits, expected, found = totals
        print(
            f"{name:8} {'all':4} {exact:>3}/{briefs:<3} {hits / expected:>8.0%} {hits / max(found, 1):>9.0%}"
        )


if __name__ == "__main__":
    main()
