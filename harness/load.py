"""Loaders: raw files in, :class:`~harness.types.RawDoc` records out.

Each source is a class chosen by ``_target_`` in ``configs/data/*.yaml``. A
source is an iterable that yields a ``RawDoc`` per document, or an
``ErrorRow`` (stage ``load``) for an input it could not read, so that one bad
file never stops a run. JSONL and CSV go through the ``datasets`` library's
local loaders; saved ``datasets`` folders through ``load_from_disk``; hub
datasets (or local data-file folders) through ``load_dataset``. A record may
carry reference summaries (``reference``: a string or a list of strings).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.decode import decode_bytes
from harness.hub import hub_offline, hub_reachable
from harness.types import ErrorRow, RawDoc, as_references
from harness.verbosity import silenced

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")

# A record names its text under one of these fields unless the config says.
TEXT_FIELDS = ("text", "article", "body", "content")
HTML_FIELDS = ("html",)


class SourceError(ValueError):
    """The configured source cannot be read at all (missing path, wrong type)."""


def doc_id(path: Path, root: Path | None = None) -> str:
    """File name without extensions, under ``root`` as a relative path (``topic/001``)."""
    rel = path.relative_to(root) if root is not None else Path(path.name)
    name = rel.name.split(".")[0] or rel.name
    return str(rel.with_name(name)) if rel.parent != Path(".") else name


def read_file(path: Path, doc_id_: str) -> RawDoc:
    """Read one ``.txt`` or ``.html``/``.html.gz`` file (any encoding)."""
    data = path.read_bytes()
    text = decode_bytes(data, path.name)
    is_html = path.name.lower().endswith(HTML_SUFFIXES)
    if is_html:
        return RawDoc(id=doc_id_, source=str(path), html=text)
    return RawDoc(id=doc_id_, source=str(path), text=text)


def _require(path: Path, kind: str) -> Path:
    if not path.exists():
        raise SourceError(f"data path {path} does not exist")
    if kind == "dir" and not path.is_dir():
        raise SourceError(f"data path {path} is not a folder")
    if kind == "file" and not path.is_file():
        raise SourceError(f"data path {path} is not a file")
    return path


class FileSource:
    """Single ``.txt``/``.html`` files, or folders of them (searched recursively)."""

    def __init__(self, paths: list[str] | str) -> None:
        self.paths = [Path(p) for p in ([paths] if isinstance(paths, str) else paths)]
        for p in self.paths:
            _require(p, "any")

    def files(self) -> list[tuple[Path, str]]:
        """(path, id) of every input file, in sorted order."""
        out: list[tuple[Path, str]] = []
        for p in self.paths:
            if p.is_dir():
                found = sorted(
                    f for f in p.rglob("*")
                    if f.is_file() and f.name.lower().endswith(TEXT_SUFFIXES + HTML_SUFFIXES)
                )
                out.extend((f, doc_id(f, p)) for f in found)
            else:
                out.append((p, doc_id(p)))
        return out

    def __len__(self) -> int:
        return len(self.files())

    def __iter__(self) -> Iterator[RawDoc | ErrorRow]:
        for path, id_ in self.files():
            try:
                yield read_file(path, id_)
            except (OSError, ValueError) as exc:
                yield ErrorRow(id_, "load", f"{path}: {exc}")


class DirSource(FileSource):
    """A folder of ``.txt`` (and ``.html``) files; ids are relative paths without extension."""

    def __init__(self, path: str) -> None:
        super().__init__([str(_require(Path(path), "dir"))])


def record_to_doc(row: dict[str, Any], index: int, source: str, fields: dict[str, str],
                  line: int | None = None) -> RawDoc:
    """Turn one JSONL/CSV record into a ``RawDoc``; raise ``ValueError`` naming what is wrong.

    ``index`` counts records from 0 (an id for a record without one); ``line`` is
    where the record starts in its file (``source:line``; default ``index + 1``).
    """
    id_field = fields.get("id") or "id"
    raw_id = row.get(id_field)
    id_ = str(raw_id) if raw_id not in (None, "") else f"row{index}"
    text_field = fields.get("text") or next((f for f in TEXT_FIELDS if row.get(f)), None)
    html_field = next((f for f in HTML_FIELDS if row.get(f)), None)
    text = row.get(text_field) if text_field else None
    html = row.get(html_field) if html_field and not text else None
    if not isinstance(text, str) and not isinstance(html, str):
        # No id here: the error row carries it, and the causes of the rows group.
        # (datasets gives every row the file's columns: an absent one is None.)
        has = ", ".join(str(k) for k, v in row.items() if v not in (None, "")) or "no field"
        wanted = repr(fields["text"]) if fields.get("text") else "/".join(TEXT_FIELDS
                                                                         + HTML_FIELDS)
        raise ValueError(f"no text field {wanted}; it has {has} (set data.text_field)")
    headline = row.get(fields.get("headline") or "headline") or None
    lede = row.get(fields.get("lede") or "lede") or None
    references = as_references(row.get(fields.get("reference") or "reference"))
    return RawDoc(id=id_, source=f"{source}:{line or index + 1}", text=text if isinstance(text, str)
                  else None, html=html if not isinstance(text, str) else None,
                  headline=headline, lede=lede, references=references)


class _RecordSource:
    """Shared iteration over records from a tabular file."""

    def __init__(self, path: str, id_field: str = "id", text_field: str = "",
                 headline_field: str = "headline", lede_field: str = "lede",
                 reference_field: str = "reference") -> None:
        self.path = self._where(path)
        self.fields = {"id": id_field, "text": text_field, "headline": headline_field,
                       "lede": lede_field, "reference": reference_field}

    def _where(self, path: str) -> Any:
        return _require(Path(path), "any")

    def records(self) -> Iterator[dict[str, Any] | ErrorRow]:
        """The file's records (or error rows for unreadable ones)."""
        raise NotImplementedError

    def numbered(self) -> Iterator[tuple[int, dict[str, Any] | ErrorRow]]:
        """``(where, record)``: the line a record starts on in its file; here its row number."""
        return enumerate(self.records(), 1)

    def __iter__(self) -> Iterator[RawDoc | ErrorRow]:
        for index, (line, row) in enumerate(self.numbered()):
            if isinstance(row, ErrorRow):
                yield row
                continue
            try:
                yield record_to_doc(row, index, str(self.path), self.fields, line)
            except ValueError as exc:
                yield ErrorRow(str(row.get(self.fields["id"]) or f"row{index}"), "load",
                               f"{self.path}:{line}: {exc}")


class JsonlSource(_RecordSource):
    """JSON Lines, one article per line, read with ``datasets``' ``json`` loader.

    A file ``datasets`` cannot parse (a malformed line) is read line by line
    instead, so the good lines are kept and each bad one becomes an error row.
    """

    def records(self) -> Iterator[dict[str, Any] | ErrorRow]:
        """Rows via ``datasets``, or line by line when it cannot parse the file."""
        for _, row in self.numbered():
            yield row

    def numbered(self) -> Iterator[tuple[int, dict[str, Any] | ErrorRow]]:
        """``(line, row)``: ``datasets`` skips blank lines, so the lines are counted here."""
        try:
            dataset = _datasets_table("json", self.path)
        except Exception:  # noqa: BLE001 - any parser failure falls back to per-line reading
            yield from self._by_line()
            return
        with self.path.open("rb") as fh:
            lines = [number for number, raw in enumerate(fh, start=1) if raw.strip()]
        if len(lines) != len(dataset):  # not one record a line: number the rows instead
            lines = list(range(1, len(dataset) + 1))
        yield from zip(lines, dataset, strict=True)

    def _by_line(self) -> Iterator[tuple[int, dict[str, Any] | ErrorRow]]:
        """Each line parsed alone: the good ones kept, an error row per bad one."""
        with self.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    row = json.loads(decode_bytes(raw, str(self.path)))
                    if not isinstance(row, dict):
                        raise ValueError("line is not a JSON object")
                    yield number, row
                except ValueError as exc:
                    yield number, ErrorRow(f"line{number}", "load",
                                           f"{self.path}:{number}: malformed JSON line ({exc})")


class CsvSource(_RecordSource):
    """CSV with a header row, read with the ``csv`` module (:func:`csv_records`).

    A malformed row (a stray quote, too many or too few fields) becomes an
    error row naming the file and line; the other rows are read.
    """

    def records(self) -> Iterator[dict[str, Any] | ErrorRow]:
        """Rows as ``{column: text}``, or error rows for malformed ones."""
        for _, row in self.numbered():
            yield row

    def numbered(self) -> Iterator[tuple[int, dict[str, Any] | ErrorRow]]:
        """``(line, row)``: a row's text may span lines, so its first line is counted."""
        for number, record in csv_records(self.path):
            if isinstance(record, str):
                yield number, ErrorRow(f"line{number}", "load", f"{self.path}:{number}: {record}")
            else:
                yield number, record


class CsvHeaderError(ValueError):
    """A CSV file whose header row cannot be read."""


def csv_records(path: Path) -> Iterator[tuple[int, dict[str, str] | str]]:
    """``(line, {column: text})`` per CSV row, or ``(line, why)`` for a malformed row.

    The ``csv`` module parses (``strict``: a quote left open to the end of the
    file, or text after a closing quote, is an error, not a silent merge of
    the rows that follow). A malformed row is reported at the line it starts on
    and reading resumes on the next line, so a stray quote costs its own row,
    not the rest of the file. Blank lines are skipped.

    Raises:
        CsvHeaderError: the file has no header row or the header is malformed.
        OSError: the file cannot be read.

    """
    import csv
    import itertools

    csv.field_size_limit(2**31 - 1)  # articles are longer than the 128 KiB default
    lines = decode_bytes(path.read_bytes(), str(path)).splitlines(keepends=True)
    header: list[str] | None = None
    base = 0  # index of the line the current reader started on
    while base < len(lines):
        reader = csv.reader(itertools.islice(lines, base, None), strict=True)
        start = base
        while True:
            start = base + reader.line_num
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                why = ("a quote opened here is never closed" if "end of data" in str(exc)
                       else f"malformed CSV row ({exc}: a stray or unclosed quote)")
                if header is None:
                    raise CsvHeaderError(f"{path}:{start + 1}: header row: {why}") from exc
                yield start + 1, why
                break
            if not record:
                continue
            if header is None:
                header = [name.strip() for name in record]
                continue
            if len(record) != len(header):
                yield start + 1, (f"malformed CSV row: {len(record)} fields where the header "
                                  f"has {len(header)} ({', '.join(header)})")
                if base + reader.line_num - start > 1:
                    break  # it spans several lines: likely a stray quote; read them again
                continue
            yield start + 1, dict(zip(header, record, strict=True))
        base = start + 1


class DatasetSource(_RecordSource):
    """A ``datasets`` dataset saved with ``save_to_disk``; ``split`` names one of several."""

    def __init__(self, path: str, split: str | None = None, id_field: str = "id",
                 text_field: str = "", headline_field: str = "headline", lede_field: str = "lede",
                 reference_field: str = "reference") -> None:
        import datasets

        super().__init__(path, id_field, text_field, headline_field, lede_field, reference_field)
        self.dataset = one_split(datasets.load_from_disk(str(self.path)), split, str(self.path))

    def __len__(self) -> int:
        return len(self.dataset)

    def records(self) -> Iterator[dict[str, Any] | ErrorRow]:
        """Rows of the chosen split."""
        yield from self.dataset


class HubSource(_RecordSource):
    """A dataset through ``datasets.load_dataset(path, name, split=..., revision=...)``.

    ``path`` is a hub name (``abisee/cnn_dailymail``) or a local folder of data
    files (JSON, CSV, Parquet). A hub dataset is read from the ``datasets``
    cache when it is there; when it is not and the hub cannot be reached
    (offline, ``HF_HUB_OFFLINE=1``), building the source fails at once with the
    fix, instead of retrying the connection.
    """

    def __init__(self, path: str, name: str | None = None, split: str | None = None,
                 revision: str | None = None, id_field: str = "id", text_field: str = "",
                 headline_field: str = "headline", lede_field: str = "lede",
                 reference_field: str = "reference") -> None:
        super().__init__(path, id_field, text_field, headline_field, lede_field, reference_field)
        self.name, self.revision = name, revision
        self.dataset = one_split(self._load(split), split, path)

    def _where(self, path: str) -> Any:
        return path  # a hub name, or a local folder that load_dataset reads

    def _load(self, split: str | None) -> Any:
        import datasets

        datasets.disable_progress_bars()
        local = Path(self.path).exists()
        if not local and looks_local(str(self.path)):
            raise SourceError(f"data.path {self.path}: no such folder. data=hf reads a local "
                              "folder of JSON/CSV/Parquet files or a hub dataset named "
                              "owner/name (a saved dataset: data=hf_disk)")
        offline = not local and (hub_offline() or not hub_reachable())
        try:
            with _offline(offline):
                return datasets.load_dataset(self.path, self.name, split=split,
                                             revision=self.revision)
        except (ConnectionError, OSError) as exc:
            # "from None": the plugin builder reports the innermost cause, and
            # this message, which names the fix, must be the one shown.
            if local:
                raise SourceError(f"cannot read dataset folder {self.path}: {exc}") from None
            raise SourceError(
                f"dataset {self.path!r} is not in the datasets cache and the hub cannot be "
                f"reached ({exc}). Fix: load it once where the hub is reachable (it is then "
                "cached), or save it there with load_dataset(...).save_to_disk(DIR) and run "
                "data=hf_disk data.path=DIR, or point data.path at a local folder of "
                "JSON/CSV/Parquet files") from None

    def __len__(self) -> int:
        return len(self.dataset)

    def records(self) -> Iterator[dict[str, Any] | ErrorRow]:
        """Rows of the chosen split."""
        yield from self.dataset


def looks_local(path: str) -> bool:
    """Whether ``path`` names a place on disk rather than a hub dataset (``owner/name``)."""
    return (path.startswith(("/", "./", "../", "~", ".\\", "..\\")) or "\\" in path
            or path in (".", "..") or Path(path).suffix.lower() in (".json", ".jsonl", ".csv",
                                                                   ".parquet"))


def one_split(dataset: Any, split: str | None, where: str) -> Any:
    """The named split of a ``DatasetDict`` (its only one when it has one); a ``Dataset`` as is.

    Raises:
        SourceError: When the split is not there, or several are and none is named.

    """
    import datasets

    if not isinstance(dataset, datasets.DatasetDict | datasets.IterableDatasetDict):
        return dataset
    names = list(dataset)
    if split is None and len(names) == 1:
        return dataset[names[0]]
    if split is None:
        raise SourceError(f"{where} has several splits ({', '.join(names)}): choose one with "
                          f"data.split={names[0]}")
    if split not in dataset:
        raise SourceError(f"{where} has no split {split!r}; its splits: {', '.join(names)}")
    return dataset[split]


@contextmanager
def _offline(on: bool) -> Iterator[None]:
    """``datasets`` and ``huggingface_hub`` in offline mode (cache only) while ``on``."""
    import datasets.config
    from huggingface_hub import constants

    saved = datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE
    if on:
        datasets.config.HF_HUB_OFFLINE = constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE = saved


def _datasets_table(builder: str, path: Path) -> Any:
    """The file as a ``datasets.Dataset`` (its one ``train`` split)."""
    import datasets

    datasets.disable_progress_bars()
    # Its loader logs each parse failure (twice for one bad JSON line); the caller
    # then reads the file itself and records one error row per bad line.
    with silenced(f"datasets.packaged_modules.{builder}.{builder}"):
        return datasets.load_dataset(builder, data_files=str(path), split="train")
