"""Benchmarks (not tests): engine step time and FAQ match time on the real flows.

Run with `make bench`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import State, load_or_raise, step  # noqa: E402
from bot.engine.io import Event, Press, Start, Text  # noqa: E402
from bot.engine.languages import fallback_chain  # noqa: E402

TODAY = date(2026, 11, 25)
CONVERSATION: list[Event] = [
    Start(language="de"), Press("opt:go"), Press("opt:prescreen"), Press("opt:start"),
    Press("accept"), Press("opt:no"), Press("opt:no"), Press("opt:no"), Text("03/2027"),
    Press("opt:yes"), Text("Amira"), Press("opt:duldung"), Text("05/2019"), Text("2016-08"),
    Press("opt:age_27_plus"), Text("Irak"), Press("opt:rejected_final"), Press("opt:expired"),
    Press("opt:yes"), Press("opt:yes"), Text("2"), Press("opt:yes"), Press("opt:yes"),
    Text("01.2024"), Text("30"), Press("opt:none"), Press("opt:a2"), Press("opt:no"),
    Press("opt:no"), Text("Was ist eine Duldung?"), Text("hallo"),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    flows = load_or_raise(ROOT / "flows", today=TODAY)
    timings: list[float] = []
    for _ in range(200):
        state = State()
        for event in CONVERSATION:
            started = time.perf_counter()
            state, _outputs = step(state, event, flows, TODAY)
            timings.append((time.perf_counter() - started) * 1e6)
    print(f"engine step: {len(timings)} steps, median {statistics.median(timings):.0f} µs, "
          f"p99 {percentile(timings, 0.99):.0f} µs")

    assert flows.faq is not None
    queries = [(lang, t.question) for lang, tr in flows.translations.items()
               for t in tr.topics.values()]
    queries += [(lang, p) for lang, tr in flows.translations.items()
                for t in tr.topics.values() for p in t.phrasings[:3]]
    match_ms: list[float] = []
    for language, query in queries:
        started = time.perf_counter()
        flows.faq.match(query, language)
        match_ms.append((time.perf_counter() - started) * 1e3)
    languages = sorted(flows.translations)
    candidates = sum(len(flows.faq.languages[lang].candidates) for lang in languages)
    print(f"faq match: {len(queries)} queries over {len(flows.topics)} topics in "
          f"{', '.join(languages)} ({candidates} phrasings; a query searches "
          f"{' → '.join(fallback_chain('en'))}), median {statistics.median(match_ms):.2f} ms, "
          f"p99 {percentile(match_ms, 0.99):.2f} ms")


if __name__ == "__main__":
    main()
