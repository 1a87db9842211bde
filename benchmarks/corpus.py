"""Generate a benchmark corpus: N articles varied from the seed, about 1% with realistic mistakes.

Usage: python benchmarks/corpus.py OUT_DIR N [--seed 1] [--no-mistakes]

Each article keeps the seed's structure (the shape a real library has) with its own id, title,
condition and medicine ids, and a varied number of conditions and medicine classes. Every 100th
article carries one typical authoring mistake (a typo'd key, a bad date, a duplicate key, a
dangling reference, a wrong type), so the benchmark also exercises the error path; with
``--no-mistakes`` every article is valid (an export refuses to run on invalid content).
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "content" / "immune-system-medicine.yaml"

MISTAKES = (
    ("category: ", "categroy: "),
    ("published: unknown", "published: 2024-02-30"),
    ("language: en", "language: en\nlanguage: en"),
    ("part_of: inflammatory-bowel-disease", "part_of: ibd"),
    ("reading_time_minutes: 3", "reading_time_minutes: three"),
)

_ID_LINE = re.compile(r"^(\s*(?:- )?id: )([a-z0-9-]+)$", re.MULTILINE)
_PART_OF = re.compile(r"^(\s*part_of: )([a-z0-9-]+)$", re.MULTILINE)


def article_text(seed_text: str, index: int, rng: random.Random, *, mistakes: bool = True) -> str:
    """The seed article made into article number ``index`` (every 100th with a mistake if ``mistakes``)."""
    article_id = f"article-{index:05d}"
    text = seed_text.replace("id: immune-system-medicine", f"id: {article_id}", 1)
    text = text.replace(
        "title: What is immune system medicine used for?",
        f"title: What is immune system medicine used for? (part {index})",
    )
    # Vary the size: drop some conditions' descriptions into longer text, repeat a class.
    if rng.random() < 0.3:
        text = text.replace(
            "A chronic inflammatory disorder affecting joints.",
            "A chronic inflammatory disorder affecting joints. " * rng.randint(2, 6),
        )
    if rng.random() < 0.2:
        block_start = text.index("  - id: mtor-inhibitors")
        block_end = text.index("\nconsiderations:")
        block = text[block_start:block_end]
        copies = [
            re.sub(r"(id: )([a-z0-9-]+)", lambda m, n=n: f"{m.group(1)}{m.group(2)}-{n}", block)
            for n in range(rng.randint(1, 4))
        ]
        text = text[:block_end] + "\n" + "\n".join(copies) + text[block_end:]
    if mistakes and index % 100 == 99:
        old, new = MISTAKES[(index // 100) % len(MISTAKES)]
        text = text.replace(old, new, 1)
    return text


def write_corpus(out: Path, count: int, *, seed: int = 1, mistakes: bool = True) -> None:
    """Write ``count`` articles to ``out`` as ``article-NNNNN.yaml`` (the same files for the same seed)."""
    rng = random.Random(seed)
    seed_text = SEED.read_text(encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        text = article_text(seed_text, index, rng, mistakes=mistakes)
        (out / f"article-{index:05d}.yaml").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-mistakes", action="store_true", help="make every article valid")
    args = parser.parse_args()
    write_corpus(args.out, args.count, seed=args.seed, mistakes=not args.no_mistakes)
    print(f"wrote {args.count} articles to {args.out}")


if __name__ == "__main__":
    main()
