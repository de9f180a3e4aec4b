"""Export of an AI training dataset: its tables as JSONL or Parquet shards plus the card.

The archive holds ``dataset_card.json``, ``README.md`` (the card as text, Hugging Face
style) and ``data/<resource>-<shard>.jsonl|parquet`` with at most ``shard_rows`` rows each,
which ``datasets.load_dataset("json"|"parquet", data_files=…)`` and pandas read as is.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from .models import Dataset, TableRow

FORMATS = ("jsonl", "parquet")


def card_dict(dataset: Dataset) -> dict[str, Any]:
    card = getattr(dataset, "training_card", None)
    return {
        "name": dataset.name,
        "title": dataset.title_zh,
        "title_en": dataset.title_en,
        "publisher": dataset.publisher.name_zh,
        "version": dataset.version,
        "licence": (card.licence if card and card.licence else dataset.licence),
        "intended_use": card.intended_use if card else "",
        "sources": card.sources if card else "",
        "processing": card.processing if card else "",
        "known_limits": card.known_limits if card else "",
        "access": dataset.access,
    }


def _readme(card: dict[str, Any]) -> str:
    return (
        f"---\nlicense: {card['licence']}\npretty_name: {card['title']}\n---\n\n"
        f"# {card['title']}\n\n{card['title_en']}\n\n"
        f"## Intended use\n\n{card['intended_use']}\n\n## Sources\n\n{card['sources']}\n\n"
        f"## Processing\n\n{card['processing']}\n\n## Known limits\n\n{card['known_limits']}\n"
    )


def export_archive(dataset: Dataset, *, fmt: str = "jsonl", shard_rows: int = 50_000) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    card = card_dict(dataset)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dataset_card.json", json.dumps(card, ensure_ascii=False, indent=2))
        archive.writestr("README.md", _readme(card))
        for index, resource in enumerate(dataset.resources.filter(datastore_active=True)):
            rows = (
                TableRow.objects.filter(resource=resource)
                .order_by("number")
                .values_list("data", flat=True)
            )
            shard: list[dict[str, Any]] = []
            shard_no = 0
            for data in rows.iterator(chunk_size=5000):
                shard.append(data)
                if len(shard) >= shard_rows:
                    _write_shard(archive, index, shard_no, shard, fmt)
                    shard, shard_no = [], shard_no + 1
            if shard or shard_no == 0:
                _write_shard(archive, index, shard_no, shard, fmt)
    return buffer.getvalue()


def _write_shard(
    archive: zipfile.ZipFile, index: int, shard_no: int, rows: list[dict[str, Any]], fmt: str
) -> None:
    name = f"data/part-{index:03d}-{shard_no:05d}.{fmt}"
    if fmt == "jsonl":
        archive.writestr(name, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), out)
    archive.writestr(name, out.getvalue())
