"""Kolada (the public municipal key-figure database): responses, the local cache, values by KPI and year.

Pure: parsing the API's JSON pages and reading values out of the cache. The HTTP
request and the cache file live in ``vpexcel.io.kolada_client``.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

DEFAULT_API = "https://api.kolada.se/v3"


def data_url(api: str, kpis: list[str], municipality: str, years: list[int]) -> str:
    """The v3 data URL for several KPIs, one municipality and several years."""
    return f"{api.rstrip('/')}/data/kpi/{','.join(kpis)}/municipality/{municipality}/year/{','.join(str(y) for y in years)}"


def parse_page(page: object) -> tuple[list[tuple[str, int, float]], str | None]:
    """(kpi, year, value) for the total (gender "T") in one response page, and the next page's URL."""
    if not isinstance(page, dict):
        raise ValueError("svaret är inget JSON-objekt")
    found: list[tuple[str, int, float]] = []
    for item in page.get("values", []) or []:
        if not isinstance(item, dict):
            continue
        kpi = str(item.get("kpi", ""))
        year = item.get("period", item.get("year"))
        for v in item.get("values", []) or []:
            value = v.get("value") if isinstance(v, dict) else None
            if (
                isinstance(v, dict)
                and v.get("gender", "T") == "T"
                and isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
            ):
                found.append((kpi, int(year), float(v["value"])))  # type: ignore[arg-type]
    nxt = page.get("next_url") or page.get("next_page")
    return found, str(nxt) if nxt else None


class KoladaCache(BaseModel):
    """What ``vpexcel kolada fetch`` saved: values[kpi][year] for one municipality."""

    municipality: str
    fetched: str  # ISO time of the fetch
    source: str  # "Kolada API v3", or "exempeldata" for the shipped sample
    values: dict[str, dict[int, float]] = Field(default_factory=dict)

    def value(self, kpi: str | None, year: int) -> float | None:
        if not kpi:
            return None
        return self.values.get(kpi, {}).get(year)

    def average(self, kpi: str, last_year: int, years: int) -> tuple[float, int] | None:
        """Average over the ``years`` years up to ``last_year`` that have a value, and how many there were."""
        got = [v for y, v in self.values.get(kpi, {}).items() if last_year - years < y <= last_year]
        return (sum(got) / len(got), len(got)) if got else None

    def finite(self) -> tuple[KoladaCache, list[str]]:
        """The cache without values that are not finite numbers, and which were dropped ("N00090 2023")."""
        dropped = [f"{k} {y}" for k, by_year in self.values.items() for y, v in by_year.items() if not math.isfinite(v)]
        if not dropped:
            return self, []
        values = {k: {y: v for y, v in by_year.items() if math.isfinite(v)} for k, by_year in self.values.items()}
        return self.model_copy(update={"values": values}), dropped

    def merged(self, rows: list[tuple[str, int, float]]) -> KoladaCache:
        values = {k: dict(v) for k, v in self.values.items()}
        for kpi, year, value in rows:
            values.setdefault(kpi, {})[year] = value
        return self.model_copy(update={"values": values})
