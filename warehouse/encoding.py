"""Detect a CSV feed's text encoding and, when it is not UTF-8, rewrite it as UTF-8 that DuckDB can read.

DuckDB's CSV reader only takes UTF-8, so this is the one place where Python touches a
feed's bytes: a strict UTF-8 pass over the file (C speed, no row loop) decides the common
case; only files that fail it are decoded line by line (GB18030, or a mix of encodings).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

UTF8_BOM = codecs.BOM_UTF8
CHUNK_BYTES = 8 * 1024 * 1024
SNIFF_BYTES = 64 * 1024
# A header or a record longer than this is not a feed we can read: a bound on memory.
csv.field_size_limit(64 * 1024 * 1024)


class FileRejected(Exception):
    """The whole file cannot be loaded; the message says why, in words for the load report."""


@dataclass(frozen=True)
class BadRecord:
    """A CSV record that never reached DuckDB: its line, its text as best decoded, and why."""

    line: int
    text: str
    reason: str


@dataclass
class PreparedCsv:
    """A CSV file made ready for DuckDB: the path to read, how it was decoded and what was set aside."""

    read_path: Path
    encoding: str
    header: list[str]
    # True when read_path is a rewritten copy whose first column `__source_line` holds
    # the original line of each record (lines were dropped, so ordinality would lie).
    has_line_column: bool = False
    bad_records: list[BadRecord] = field(default_factory=list)
    # True when only the file's head was checked (valid UTF-8 with Chinese text): the reader
    # must confirm the rest is UTF-8, else the file is prepared again with check_all.
    utf8_unverified: bool = False
    temp_files: list[Path] = field(default_factory=list)


LINE_COLUMN = "__source_line"


def open_bytes(path: Path) -> io.BufferedIOBase:
    """The file's bytes, decompressed when the name ends in .gz."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


# Any non-ASCII character, and CJK ideographs.
NON_ASCII_CHARS = re.compile("[^\x00-\x7f]")
CJK_CHARS = re.compile("[\u4e00-\u9fff]")


def is_strict_utf8(path: Path) -> bool:
    """True when every byte of the (decompressed) file decodes as UTF-8 and the text is plausibly UTF-8.

    Short GB18030 text can be valid UTF-8 by accident ('一' is D2 BB, which UTF-8 reads
    as Cyrillic 'һ'). For these Chinese feeds, UTF-8 text with non-ASCII characters but no
    Chinese at all, whose bytes read as Chinese in GB18030, is taken to be GB18030.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    has_non_ascii = has_cjk = False
    try:
        with open_bytes(path) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                text = decoder.decode(chunk).removeprefix("\ufeff")  # a BOM is not content
                has_cjk = has_cjk or CJK_CHARS.search(text) is not None
                has_non_ascii = has_non_ascii or NON_ASCII_CHARS.search(text) is not None
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    if has_non_ascii and not has_cjk:
        with open_bytes(path) as stream:
            data = stream.read(CHUNK_BYTES).removeprefix(UTF8_BOM)
        # Judge on whole lines of the first chunk: enough text to tell, bounded memory.
        data = data[: data.rfind(b"\n") + 1] or data
        return looks_like_utf8(data.decode("utf-8"), data)
    return True


def head_is_chinese_utf8(path: Path) -> bool:
    """True when the file is longer than CHUNK_BYTES and its first chunk is UTF-8 holding Chinese text.

    Such a file is UTF-8 unless a later byte says otherwise (is_strict_utf8 only doubts UTF-8
    text without any Chinese), which the CSV reader finds as it reads.
    """
    with open_bytes(path) as stream:
        chunk = stream.read(CHUNK_BYTES)
        if not stream.read(1):
            return False  # the head is the whole file: is_strict_utf8 reads it all anyway
    try:
        text = codecs.getincrementaldecoder("utf-8")("strict").decode(chunk)
    except UnicodeDecodeError:
        return False
    return CJK_CHARS.search(text) is not None


def first_record(text: str) -> list[str]:
    """The first CSV record of `text` (the header), as a list of names."""
    reader = csv.reader(io.StringIO(text))
    return next(reader, [])


def prepare_csv(path: Path, temp_dir: Path, check_all: bool = False) -> PreparedCsv:
    """Decide how DuckDB should read `path`; FileRejected for empty or binary files.

    UTF-8 (with or without BOM, gzip or not) is read in place. A file longer than its head
    whose head is UTF-8 with Chinese text is taken as UTF-8 unverified (DuckDB checks every
    byte as it reads, so a second pass here would only repeat it) unless `check_all`. A file that is wholly
    GB18030 is transcoded to a temporary UTF-8 file with the same lines. A file whose lines
    mix encodings is rewritten record by record: lines that do not decode in the file's
    main encoding become BadRecords for quarantine, and the copy carries each record's line.
    """
    with open_bytes(path) as stream:
        head = stream.read(SNIFF_BYTES)
    if not head:
        raise FileRejected("file is empty: no header and no rows")
    if b"\x00" in head:
        raise FileRejected("binary content (NUL bytes): not a CSV text file")
    has_bom = head.startswith(UTF8_BOM)
    unverified = not check_all and head_is_chinese_utf8(path)
    if unverified or is_strict_utf8(path):
        text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
        header = first_record(text)
        return PreparedCsv(path, "utf-8 with BOM" if has_bom else "utf-8", header, utf8_unverified=unverified)
    counts = classify_lines(path)
    bom_note = " (despite a UTF-8 BOM)" if has_bom else ""
    if counts.utf8_only == 0 and counts.undecodable == 0:
        target = transcode_gb18030(path, temp_dir)
        with open(target, encoding="utf-8") as fh:
            header = first_record(fh.read(SNIFF_BYTES))
        return PreparedCsv(target, f"gb18030{bom_note}", header, temp_files=[target])
    primary = "utf-8" if counts.utf8_only >= counts.gb18030_only else "gb18030"
    return repair_mixed(path, temp_dir, primary)


@dataclass
class LineCounts:
    """How the non-ASCII lines of a file decode: only as UTF-8, only as GB18030, or not at all."""

    utf8_only: int = 0
    gb18030_only: int = 0
    undecodable: int = 0


def looks_like_utf8(text: str, raw: bytes) -> bool:
    """False for UTF-8 text that is more likely GB18030 read wrongly (see is_strict_utf8)."""
    if CJK_CHARS.search(text) or not NON_ASCII_CHARS.search(text):
        return True
    try:
        return CJK_CHARS.search(raw.decode("gb18030")) is None
    except UnicodeDecodeError:
        return True


def classify_lines(path: Path) -> LineCounts:
    """Count lines that decode only as UTF-8, only as GB18030, or as neither (strictly)."""
    counts = LineCounts()
    with open_bytes(path) as stream:
        for number, raw in enumerate(stream):
            line = raw.removeprefix(UTF8_BOM) if number == 0 else raw
            if line.isascii():
                continue
            try:
                is_utf8 = looks_like_utf8(line.decode("utf-8"), line)
            except UnicodeDecodeError:
                is_utf8 = False
            if is_utf8:
                # Chinese in GB18030 is almost never valid UTF-8, so a line that decodes
                # as UTF-8 is UTF-8 even though GB18030 would also accept its bytes.
                counts.utf8_only += 1
                continue
            try:
                line.decode("gb18030")
            except UnicodeDecodeError:
                counts.undecodable += 1
            else:
                counts.gb18030_only += 1
    return counts


def transcode_gb18030(path: Path, temp_dir: Path) -> Path:
    """Write a UTF-8 copy of a GB18030 file (line for line) and return its path."""
    decoder = codecs.getincrementaldecoder("gb18030")("strict")
    fd, name = tempfile.mkstemp(suffix=".csv", dir=temp_dir)
    with os.fdopen(fd, "wb") as out, open_bytes(path) as stream:
        first = True
        while chunk := stream.read(CHUNK_BYTES):
            if first:
                # A UTF-8 BOM in front of GB18030 text is a lie about the encoding: drop it.
                chunk = chunk.removeprefix(UTF8_BOM)
                first = False
            out.write(decoder.decode(chunk).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return Path(name)


def decode_lines(path: Path, primary: str, bad_lines: set[int]) -> Iterator[str]:
    """Each physical line decoded in `primary`; undecodable ones shown via the other encoding, noted in bad_lines."""
    other = "gb18030" if primary == "utf-8" else "utf-8"
    with open_bytes(path) as stream:
        for number, raw in enumerate(stream, start=1):
            line = raw.removeprefix(UTF8_BOM) if number == 1 else raw
            try:
                yield line.decode(primary)
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield line.decode(other, errors="replace")


def repair_mixed(path: Path, temp_dir: Path, primary: str) -> PreparedCsv:
    """Rewrite a mixed-encoding CSV as UTF-8 with a line column, setting aside records that do not decode."""
    bad_lines: set[int] = set()
    reader = csv.reader(decode_lines(path, primary, bad_lines))
    header = next(reader, [])
    bad_records: list[BadRecord] = []
    fd, name = tempfile.mkstemp(suffix=".csv", dir=temp_dir)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([LINE_COLUMN, *header])
        start = reader.line_num + 1
        for record in reader:
            end = reader.line_num
            text = ",".join(record)
            undecodable = [n for n in range(start, end + 1) if n in bad_lines]
            if undecodable:
                reason = f"encoding: line {undecodable[0]} is not valid {primary} like the rest of the file"
                bad_records.append(BadRecord(start, text, reason))
            elif len(record) != len(header):
                reason = f"csv: expected {len(header)} fields, found {len(record)}"
                bad_records.append(BadRecord(start, text, reason))
            elif record:
                writer.writerow([start, *record])
            start = end + 1
    target = Path(name)
    encoding = f"mixed: {primary}, {len(bad_lines)} line(s) in another encoding"
    return PreparedCsv(target, encoding, header, True, bad_records, [target])
