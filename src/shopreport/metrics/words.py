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
    for text in texts.drop_nulls().to_list():  # small: one month's bad reviews
        counts.update(
            {w.lower() for w in rjieba.cut(text) if _WORD.match(w) and w.lower() not in stop}
        )
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
