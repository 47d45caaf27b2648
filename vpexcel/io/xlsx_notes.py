"""Add cell notes (Excel's classic comments) to a sheet of a template, touching only what notes live in.

A note is two things in the file: a ``<comment>`` in the sheet's comments part
(the text) and a ``<v:shape>`` in the sheet's VML drawing (the yellow box Excel
shows on hover). When the sheet has both, a note is appended to each. When it
has neither, a comments part and (unless the sheet already has a VML drawing,
for form buttons) a VML drawing are created, related to the sheet, registered in
``[Content_Types].xml``, and the sheet gets its ``<legacyDrawing>``. Nothing else
in the package changes. A cell that already has a note keeps it.

Used by :func:`vpexcel.io.xlsx_patch.patch_workbook` for vpexcel's own proposals
("Förslag från vpexcel: ...").
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping

from vpexcel.grid import a1
from vpexcel.textcells import clean_text

NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_COMMENTS = NS_REL + "/comments"
REL_VML = NS_REL + "/vmlDrawing"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
AUTHOR = "vpexcel"

_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*?/?>", re.S)
_ATTR = re.compile(rb'(\w+(?::\w+)?)="([^"]*)"')
# elements that follow <legacyDrawing> in a worksheet (CT_Worksheet's order)
_AFTER_LEGACY = (
    b"legacyDrawingHF",
    b"drawingHF",
    b"picture",
    b"oleObjects",
    b"controls",
    b"webPublishItems",
    b"tableParts",
    b"extLst",
)
_SHAPETYPE_202 = (
    b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    b'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)

Read = Callable[[str], bytes | None]  # a package part by name, None when absent


def _esc(text: str) -> bytes:
    text = clean_text(text)  # a control character would make the part one Excel refuses to open
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").encode("utf-8")


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relationships(xml: bytes) -> list[dict[bytes, bytes]]:
    return [dict(_ATTR.findall(m.group(0))) for m in _REL.finditer(xml)]


def _target(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _free(names: set[str], pattern: str) -> str:
    n = 1
    while pattern.format(n) in names:
        n += 1
    return pattern.format(n)


def _prefix(closing_tag: bytes) -> str:
    """The namespace prefix of a closing tag ("</x:authors>" -> "x:")."""
    m = re.match(rb"</(\w+:)?", closing_tag)
    return (m.group(1) or b"").decode() if m else ""


def _comment(ref: str, author: int, text: str, p: str = "") -> bytes:
    """One note's text; ``p`` is the part's prefix for the spreadsheet namespace ("x:"), if it uses one."""
    head = (
        f'<{p}comment ref="{ref}" authorId="{author}"><{p}text><{p}r><{p}rPr><{p}sz val="8"/><{p}rFont val="Tahoma"/>'
        f'<{p}family val="2"/></{p}rPr><{p}t xml:space="preserve">'
    )
    return head.encode() + _esc(text) + f"</{p}t></{p}r></{p}text></{p}comment>".encode()


def _shape(shape_id: int, row: int, col: int) -> bytes:
    anchor = f"{col + 1}, 15, {max(row - 1, 0)}, 10, {col + 3}, 15, {row + 3}, 4"
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:0;margin-top:0;'
        'width:144pt;height:60pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
        '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
        f'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{anchor}</x:Anchor>'
        f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
    ).encode()


def _new_vml(idmap: int) -> bytes:
    return (
        b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="'
        + str(idmap).encode()
        + b'"/></o:shapelayout>'
        + _SHAPETYPE_202
        + b"</xml>"
    )


def _new_comments() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors></authors>'
        b"<commentList></commentList></comments>"
    )


def _add_relationship(rels: bytes | None, rel_type: str, target: str) -> tuple[bytes, str]:
    if rels is None:
        rels = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
        )
    ids = {r.get(b"Id", b"").decode() for r in _relationships(rels)}
    rid = _free(ids, "rId{}")
    element = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'.encode()
    end = rels.rindex(b"</")
    return rels[:end] + element + rels[end:], rid


def _with_comments(xml: bytes, notes: Mapping[tuple[int, int], str]) -> tuple[bytes, list[tuple[int, int]]]:
    """Append notes to a comments part; returns the part and the cells that got one (not those that had one)."""
    taken = {m.decode() for m in re.findall(rb'<(?:\w+:)?comment\b[^>]*\bref="([A-Z]+\d+)"', xml)}
    authors = [m.decode() for m in re.findall(rb"<(?:\w+:)?author>(.*?)</(?:\w+:)?author>", xml, re.S)]
    if re.search(rb"<(?:\w+:)?authors\s*/>", xml):
        xml = re.sub(rb"<((?:\w+:)?)authors\s*/>", rb"<\1authors></\1authors>", xml, count=1)
    if AUTHOR in authors:
        author = authors.index(AUTHOR)
    else:
        author = len(authors)
        end = re.search(rb"</(?:\w+:)?authors>", xml)
        assert end is not None
        tag = _prefix(end.group(0)).encode() + b"author"
        xml = xml[: end.start()] + b"<" + tag + b">" + AUTHOR.encode() + b"</" + tag + b">" + xml[end.start() :]
    if re.search(rb"<(?:\w+:)?commentList\s*/>", xml):
        xml = re.sub(rb"<((?:\w+:)?)commentList\s*/>", rb"<\1commentList></\1commentList>", xml, count=1)
    added = [(r, c) for (r, c) in sorted(notes) if a1(r, c) not in taken]
    end = re.search(rb"</(?:\w+:)?commentList>", xml)
    if end is None:
        return xml, []
    ns = _prefix(end.group(0))
    body = b"".join(_comment(a1(r, c), author, notes[(r, c)], ns) for r, c in added)
    return xml[: end.start()] + body + xml[end.start() :], added


def _with_shapes(vml: bytes, cells: list[tuple[int, int]]) -> bytes:
    ids = [int(m) for m in re.findall(rb'id="_x0000_s(\d+)"', vml)]
    idmap = re.search(rb'<o:idmap[^>]*data="(\d+)', vml)
    next_id = max(ids, default=(int(idmap.group(1)) if idmap else 1) * 1024) + 1
    if b'id="_x0000_t202"' not in vml:
        first = re.search(rb"<v:shape\b", vml)
        at = first.start() if first else vml.rindex(b"</xml>")
        vml = vml[:at] + _SHAPETYPE_202 + vml[at:]
    shapes = b"".join(_shape(next_id + i, r, c) for i, (r, c) in enumerate(cells))
    end = vml.rindex(b"</xml>")
    return vml[:end] + shapes + vml[end:]


def _legacy_drawing(sheet: bytes, rid: str) -> bytes:
    root = re.search(rb"<(?:\w+:)?worksheet\b[^>]*>", sheet)
    declared = root is not None and b'xmlns:r="' + NS_REL.encode() + b'"' in root.group(0)
    prefix = re.match(rb"<(\w+:)?worksheet", root.group(0)) if root else None
    ns = prefix.group(1) or b"" if prefix else b""
    element = b"<" + ns + b'legacyDrawing r:id="' + rid.encode() + b'"'
    element += b"/>" if declared else b' xmlns:r="' + NS_REL.encode() + b'"/>'
    for name in _AFTER_LEGACY:
        m = re.search(rb"<(?:\w+:)?" + name + rb"[\s>/]", sheet)
        if m:
            return sheet[: m.start()] + element + sheet[m.start() :]
    end = sheet.rindex(b"</")
    return sheet[:end] + element + sheet[end:]


def add_notes(
    sheet_part: str, sheet_xml: bytes, notes: Mapping[tuple[int, int], str], read: Read, names: set[str]
) -> tuple[bytes, dict[str, bytes]]:
    """``notes`` (0-based row, col -> text) added to the sheet: its new XML and every other part changed or new."""
    if not notes:
        return sheet_xml, {}
    original = sheet_xml
    out: dict[str, bytes] = {}
    rels_name = _rels_name(sheet_part)
    rels = read(rels_name)
    found = {r.get(b"Type", b"").decode(): r.get(b"Target", b"").decode() for r in _relationships(rels or b"")}
    comments_part = _target(sheet_part, found[REL_COMMENTS]) if REL_COMMENTS in found else None
    vml_part = _target(sheet_part, found[REL_VML]) if REL_VML in found else None
    if (comments_part and read(comments_part) is None) or (vml_part and read(vml_part) is None):
        return sheet_xml, {}  # a relationship to a part that is not there: leave the sheet as it is
    types = read("[Content_Types].xml")
    if types is None:
        return sheet_xml, {}
    every = set(names)
    if comments_part is None:
        comments_part = _free(every, "xl/comments{}.xml")
        every.add(comments_part)
        rels, _rid = _add_relationship(rels, REL_COMMENTS, posixpath.relpath(comments_part, posixpath.dirname(sheet_part)))
        end = types.rindex(b"</")
        types = types[:end] + f'<Override PartName="/{comments_part}" ContentType="{CT_COMMENTS}"/>'.encode() + types[end:]
        comments = _new_comments()
    else:
        comments = read(comments_part) or b""
    if vml_part is None:
        vml_part = _free(every, "xl/drawings/vmlDrawing{}.vml")
        idmaps = [int(m) for n in names if n.endswith(".vml") for m in re.findall(rb'<o:idmap[^>]*data="(\d+)', read(n) or b"")]
        vml = _new_vml(max(idmaps, default=0) + 1)
        rels, rid = _add_relationship(rels, REL_VML, posixpath.relpath(vml_part, posixpath.dirname(sheet_part)))
        sheet_xml = _legacy_drawing(sheet_xml, rid)
        if not re.search(rb'<Default\b[^>]*Extension="vml"', types, re.IGNORECASE):
            end = types.rindex(b"</")
            types = types[:end] + f'<Default Extension="vml" ContentType="{CT_VML}"/>'.encode() + types[end:]
    else:
        vml = read(vml_part) or b""
    comments, added = _with_comments(comments, notes)
    if not added:
        return original, {}  # every cell already has a note
    out[comments_part] = comments
    out[vml_part] = _with_shapes(vml, added)
    assert rels is not None
    if rels != read(rels_name):
        out[rels_name] = rels
    if types != read("[Content_Types].xml"):
        out["[Content_Types].xml"] = types
    return sheet_xml, out
