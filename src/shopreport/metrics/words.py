"""The words that recur in review texts (Chinese segmented with jieba's dictionary)."""

from __future__ import annotations

import collections
import re

import polars as pl

from shopreport.resources import read_yaml_resource

_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$")


def recurring_words(texts: pl.Series, top: int = 15) -> pl.DataFrame:
    """Words of two or more characters, by the number of texts they appear in (stopwords out)."""
    import rjieba

    stop = set(read_yaml_resource("stopwords.yaml"))
    counts: collections.Counter[str] = collections.Counter()
    # each distinct text cut once, its words counted as many times as it was written (reviews
    # repeat: a platform's default text, a phrase buyers copy): a month's bad reviews at 10M
    # order lines, 30,254 texts, 0.22 → 0.01 s
    distinct = texts.drop_nulls().value_counts(name="times")
    for text, times in distinct.iter_rows():
        words = {w.lower() for w in rjieba.cut(text) if _WORD.match(w) and w.lower() not in stop}
        counts.update(dict.fromkeys(words, times))
    total = max(texts.len(), 1)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return pl.DataFrame(
        {
            "word": [w for w, _ in rows],
            "reviews": [n for _, n in rows],
            "share": [n / total for _, n in rows],
        },
        schema={"word": pl.String, "reviews": pl.Int64, "share": pl.Float64},
    )
