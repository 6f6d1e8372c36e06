"""Analyse the evaluation corpus with both strategies (and the rules backend) in one run; report cost and score.

Usage (from the repository root, after `make install`):
    .venv/bin/python benchmarks/corpus_benchmark.py [--corpus ../shared/corpus] [--out out/bench]
        [--strategies retrieve,full] [--ask-model gaps|all] [--model ID]

Per document and in total: wall seconds, model calls, tokens read and generated, and the
process's peak RSS; then the corpus scorer's STRICT score, invented-value rate and evidence
check for each strategy. One model load serves every strategy. Not a timed test: run it by hand.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from analyser.config import load_settings
from analyser.export import write_report
from analyser.pipeline import Analyser, AnalysisOptions

REPO = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_strategy(analyser: Analyser, documents: list[Path], out: Path) -> dict[str, float]:
    """Analyse every document, write its report, print one line each, return the totals."""
    totals = {"seconds": 0.0, "calls": 0, "read": 0, "generated": 0}
    print(f"{'document':<40}{'sec':>8}{'calls':>6}{'read':>8}{'gen':>6}{'peak MB':>9}")
    for path in documents:
        started = time.perf_counter()
        report = analyser.analyse_path(path)
        seconds = time.perf_counter() - started
        write_report(report, out, path.stem)
        run = report.run
        calls, read, generated = (run.model_calls, run.tokens_read, run.tokens_generated) if run else (0, 0, 0)
        print(f"{path.stem:<40}{seconds:>8.1f}{calls:>6}{read:>8}{generated:>6}{peak_rss_mb():>9.0f}", flush=True)
        for key, value in (("seconds", seconds), ("calls", calls), ("read", read), ("generated", generated)):
            totals[key] += value
    print(f"{'TOTAL':<40}{totals['seconds']:>8.1f}{totals['calls']:>6}{totals['read']:>8}{totals['generated']:>6}"
          f"{peak_rss_mb():>9.0f}")
    return totals


def score(corpus: Path, predictions: Path) -> dict[str, object]:
    """Run the corpus scorer and return its JSON result."""
    result_file = predictions / "score.json"
    subprocess.run([sys.executable, str(corpus.parent / "eval" / "score.py"), str(corpus / "gold"), str(predictions),
                    "--json", str(result_file)], check=True, stdout=subprocess.DEVNULL)
    return json.loads(result_file.read_text())


def main() -> None:
    """Parse options, run the strategies, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "bench")
    parser.add_argument("--strategies", default="retrieve,full")
    parser.add_argument("--ask-model", default="gaps", choices=("gaps", "all"))
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    documents = sorted((args.corpus / "docs").glob("*.pdf"))
    settings = load_settings()
    rows = {}
    started = time.perf_counter()
    rules = Analyser(AnalysisOptions(backend="rules"), settings)
    print("== rules")
    rows["rules"] = (run_strategy(rules, documents, args.out / "rules"), score(args.corpus, args.out / "rules"))
    backend = embedder = None
    for strategy in args.strategies.split(","):
        options = AnalysisOptions(backend="llama", strategy=strategy, model=args.model,  # type: ignore[arg-type]
                                  ask_model=args.ask_model)  # type: ignore[arg-type]
        analyser = Analyser(options, settings, backend=backend, embedder=embedder)
        if backend is None:
            load_started = time.perf_counter()
            backend = analyser.backend()
            embedder = analyser.embedder()
            print(f"model and embedder loaded in {time.perf_counter() - load_started:.1f} s")
        print(f"== llama, strategy {strategy}, ask-model {args.ask_model}")
        rows[strategy] = (run_strategy(analyser, documents, args.out / strategy), score(args.corpus, args.out / strategy))
    print(f"\nwhole run {time.perf_counter() - started:.0f} s, peak RSS {peak_rss_mb():.0f} MB")
    print(f"{'run':<10}{'sec':>8}{'read':>8}{'gen':>7}{'STRICT':>8}{'invented':>9}{'verbatim':>9}")
    for name, (totals, result) in rows.items():
        evidence = result["evidence"]["fraction_verbatim"]  # type: ignore[index]
        print(f"{name:<10}{totals['seconds']:>8.1f}{totals['read']:>8}{totals['generated']:>7}"
              f"{result['strict_score']:>8.3f}{result['invented_rate']:>9.3f}{evidence or 0:>9.3f}")


if __name__ == "__main__":
    main()
