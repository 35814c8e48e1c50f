"""The shared engine of the register imports (places, residents, staff, facilities): reading a clerk's
spreadsheet (.xlsx, .xls, .csv in UTF-8 or GBK) row by row with forgiving headers, cleaning cell values, and
writing the same layout back (templates, exports, error reports).

python-calamine reads .xlsx and the old .xls (fast, in Rust), openpyxl writes every workbook (write-only,
streaming), the csv module reads .csv. Each kind of register (residents.registers, crews.registers) declares its columns and plans and
applies its rows; the import job (crews) drives them batch by batch.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .selectors import normalize_phone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = (".xlsx", ".xls", ".csv")
HEADER_SCAN_ROWS = 10  # a title row or two above the header is common in office files


class FileProblem(ValueError):
    """The file as a whole cannot be imported (not a spreadsheet, no header, a required column missing)."""


@dataclass(frozen=True)
class Column:
    """One column of a register: its key, the template's header, the other headers clerks use for it."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    example: Any = ""
    width: int = 12
    in_template: bool = True  # False: read when present (another way to give the same data), never written


@dataclass
class Row:
    """A data row: its spreadsheet row number (header = row 1) and the cleaned text of each known column."""

    number: int
    values: dict[str, str]
    raw: list[Any] = field(default_factory=list)

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def clean_header(text: Any) -> str:
    """Headers compare without width, spaces, required-marks or a trailing note in brackets: "* 联系电话（必填）"."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"[(\[【].*?[)\]】]", "", value)
    return re.sub(r"[\s*:：]+", "", value).lower()


def clean_cell(value: Any) -> str:
    """Cell text as the clerk meant it: numbers without ".0", full-width characters half-width, spaces trimmed
    and collapsed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    if not text.isascii():  # NFKC leaves ASCII as it is: most cells skip it
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())  # str.split's whitespace is the regex \s: the same as re.sub(r"\s+", " ")


def split_phones(text: str) -> list[str]:
    """Every phone in a cell ("138-0013-8000 / 0991 4567890；139 0013 9000"): split on list separators, then
    on spaces only where the pieces are whole numbers by themselves."""
    if not text:
        return []
    if text.isascii() and text.isdigit():  # one phone in plain digits, the usual cell
        digits = normalize_phone(text)
        return [digits] if digits else []
    phones: list[str] = []
    for piece in re.split(r"[/,;、|\\\n，；]+", text or ""):
        digits = normalize_phone(piece)
        if not digits:
            continue
        if len(digits) > 12 and " " in piece.strip():
            parts = [normalize_phone(p) for p in piece.split()]
            if all(valid_phone(p) for p in parts if p):
                phones.extend(p for p in parts if p)
                continue
        phones.append(digits)
    return phones


def valid_phone(digits: str) -> bool:
    """A mobile (11 digits from 1), or a landline: 7–8 digits, or 10–12 with the 0 of an area code."""
    if digits.startswith("1"):
        return len(digits) == 11
    if digits.startswith("0"):
        return 10 <= len(digits) <= 12
    return 7 <= len(digits) <= 8


def yes_no(text: str) -> bool | None:
    value = clean_header(text)
    if value in ("是", "y", "yes", "true", "1", "在岗", "在职", "启用", "有效", "√"):
        return True
    if value in ("否", "n", "no", "false", "0", "离岗", "离职", "停用", "无效", "×"):
        return False
    return None


@functools.lru_cache(maxsize=4096)
def number_of(text: str) -> int | None:
    """The leading number of "5区", "37栋", "12" (Chinese numerals too), or None. Cached: a register repeats
    the same few district, building and unit numbers on every row."""
    from .selectors import normalize_address

    match = _LEADING_NUMBER.match(normalize_address(text))
    return int(match.group(0)) if match else None


_LEADING_NUMBER = re.compile(r"\d{1,6}(?!\d)")  # six digits at most: a longer "number" is a typo


# --- Registers ---------------------------------------------------------------------------------------------

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class Plan:
    """One batch, planned: each row's outcome (create/update/unchanged) or its error, and what to write."""

    outcomes: list[tuple[Row, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    writes: Any = None

    def count(self, outcome: str) -> int:
        return sum(1 for _row, o in self.outcomes if o == outcome)


class Register:
    """What every register declares; `crews.registers.REGISTERS` lists them by kind."""

    kind: str
    label: Any
    columns: tuple[Column, ...]
    sheet_title: str

    def check_layout(self, layout: Layout) -> None:  # raise FileProblem when a required column is missing
        raise NotImplementedError

    def start(self, layout: Layout) -> Any:
        raise NotImplementedError

    def plan(self, rows: Sequence[Row], state: Any, *, writing: bool) -> Plan:
        raise NotImplementedError

    def apply(self, plan: Plan, state: Any, *, actor) -> None:
        raise NotImplementedError

    def moved_out(self, state: Any) -> list[dict[str, Any]]:
        return []

    def end_residencies(self, ids: Sequence[int], *, actor) -> int:
        return 0

    def export_rows(self) -> Iterator[list[Any]]:
        raise NotImplementedError

    @property
    def template_columns(self) -> list[Column]:
        return [c for c in self.columns if c.in_template]

    def example_row(self) -> list[Any]:
        return [c.example for c in self.template_columns]

    def header_of(self, key: str) -> str:
        return next((c.header for c in self.columns if c.key == key), key)

    def _error(self, row: Row, key: str, message: str) -> RowError:
        return RowError(row.number, self.header_of(key), message)


def require_columns(layout: Layout, register: Register, *alternatives: tuple[str, ...]) -> None:
    """Each alternative is a set of columns that together suffice; one of them must be present whole."""
    if any(all(key in layout.index for key in keys) for keys in alternatives):
        return
    wanted = _(" or ").join("、".join(register.header_of(k) for k in keys) for keys in alternatives)
    raise FileProblem(_("The file has no column for %(columns)s.") % {"columns": wanted})


# --- Reading ----------------------------------------------------------------------------------------------


def _excel_rows(handle: IO[bytes], old: bool) -> Iterator[list[Any]]:
    """Rows of the first sheet of an .xlsx or .xls, read by calamine (Rust: a whole base's file in a second or
    two, where a pure-Python reader takes most of the preview's time); row 1 of the sheet is the first row."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(handle)
        sheet = book.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError) as exc:
        raise FileProblem(
            _("This file is not an old Excel workbook (.xls) that can be read.")
            if old
            else _("This file is not an Excel workbook (.xlsx) that can be read.")
        ) from exc
    yield from sheet.iter_rows()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes) or, as Chinese office PCs save it, GBK (GB18030)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(_("This CSV file is neither UTF-8 nor GBK text; save it again as CSV (UTF-8)."))


def _csv_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    text = _decode(handle.read())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def raw_rows(handle: IO[bytes], filename: str) -> Iterator[list[Any]]:
    """Every row of the file's first sheet as a list of cell values, by the file name's extension."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xls")):
        return _excel_rows(handle, old=name.endswith(".xls"))
    if name.endswith(".csv"):
        return _csv_rows(handle)
    raise FileProblem(_("Upload an .xlsx, .xls or .csv file."))


@dataclass
class Layout:
    """Where the header is and which column index holds which key; the headers nobody recognised."""

    header_row: int
    index: dict[str, int]
    headers: list[str]
    ignored: list[str]


def header_lookup(columns: Sequence[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.header, column.key, *column.aliases):
            lookup.setdefault(clean_header(name), column.key)
    return lookup


def find_layout(rows: Sequence[tuple[int, list[Any]]], columns: Sequence[Column]) -> Layout | None:
    """The first of the scanned rows naming at least two known columns is the header."""
    lookup = header_lookup(columns)
    for number, values in rows:
        index: dict[str, int] = {}
        ignored: list[str] = []
        for i, value in enumerate(values):
            key = lookup.get(clean_header(value))
            if key and key not in index:
                index[key] = i
            elif clean_cell(value):
                ignored.append(clean_cell(value))
        if len(index) >= 2:
            return Layout(number, index, [clean_cell(v) for v in values], ignored)
    return None


def read_rows(handle: IO[bytes], filename: str, columns: Sequence[Column]) -> tuple[Layout, Iterator[Row]]:
    """The layout and an iterator over the non-empty data rows (cleaned), streaming: a 60,000-row file is never
    held in memory at once."""
    source = enumerate(raw_rows(handle, filename), start=1)
    scanned: list[tuple[int, list[Any]]] = []
    layout = None
    for number, values in source:
        scanned.append((number, values))
        layout = find_layout(scanned[-1:], columns)
        if layout or len(scanned) >= HEADER_SCAN_ROWS:
            break
    if layout is None:
        raise FileProblem(
            _("No header row found: the first row should name the columns, e.g. %(headers)s.")
            % {"headers": "、".join(c.header for c in columns[:5])}
        )

    def rows() -> Iterator[Row]:
        for number, values in source:
            cleaned = {
                key: clean_cell(values[i]) if i < len(values) else "" for key, i in layout.index.items()
            }
            if any(cleaned.values()):
                yield Row(number, cleaned, list(values))

    return layout, rows()


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- Writing ----------------------------------------------------------------------------------------------

MESSAGE_HEADER = gettext_lazy("Problem")


def write_workbook(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    widths: Sequence[int] = (),
    target: IO[bytes] | None = None,
) -> bytes:
    """An .xlsx with a bold header row (text cells, so phone numbers keep their digits), streamed in write-only
    mode so an export of the whole base stays small in memory. Returns the bytes unless `target` is given."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_text(v) for v in row])
    out = target or io.BytesIO()
    book.save(out)
    return b"" if target else out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def format_row_message(row: int, message: str) -> str:
    """第 1,204 行：电话号码位数不对 — the row number with thousands separators, as a clerk reads it."""
    return _("Row %(row)s: %(message)s") % {"row": f"{row:,}", "message": message}
