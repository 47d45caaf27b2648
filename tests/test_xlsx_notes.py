"""Notes added to a template's sheet: only the parts notes live in change, and what was there stays."""

from __future__ import annotations

import xml.dom.minidom

from vpexcel.io.xlsx_notes import _with_comments, add_notes

SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheetData/><pageMargins left="0.7"/><tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table" '
    b'Target="../tables/table1.xml"/></Relationships>'
)
TYPES = b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'


def test_a_sheet_without_notes_gets_a_comments_part_a_drawing_and_its_legacy_drawing_in_order() -> None:
    parts = {
        "xl/worksheets/sheet1.xml": SHEET,
        "xl/worksheets/_rels/sheet1.xml.rels": RELS,
        "[Content_Types].xml": TYPES,
        "xl/drawings/vmlDrawing1.vml": b'<xml><o:idmap v:ext="edit" data="1"/></xml>',
    }
    sheet, changed = add_notes("xl/worksheets/sheet1.xml", SHEET, {(4, 5): "Förslag & mer"}, parts.get, set(parts))
    assert set(changed) == {
        "xl/comments1.xml",
        "xl/drawings/vmlDrawing2.vml",
        "xl/worksheets/_rels/sheet1.xml.rels",
        "[Content_Types].xml",
    }
    assert sheet == SHEET.replace(b"<tableParts", b'<legacyDrawing r:id="rId3"/><tableParts')  # before tableParts
    rels = changed["xl/worksheets/_rels/sheet1.xml.rels"]
    assert rels.startswith(RELS[: RELS.index(b"</Relationships>")])  # the table's relationship kept
    assert (
        b'Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments1.xml"'
        in rels
    )
    assert b'Target="../drawings/vmlDrawing2.vml"' in rels
    assert b'<o:idmap v:ext="edit" data="2"/>' in changed["xl/drawings/vmlDrawing2.vml"]  # not the other drawing's block
    assert b"<x:Row>4</x:Row><x:Column>5</x:Column>" in changed["xl/drawings/vmlDrawing2.vml"]
    assert (
        b'<comment ref="F5" authorId="0">' in changed["xl/comments1.xml"]
        and "Förslag &amp; mer".encode() in changed["xl/comments1.xml"]
    )
    types = changed["[Content_Types].xml"]
    assert b'PartName="/xl/comments1.xml"' in types and b'Extension="vml"' in types
    for part in changed.values():
        if part.lstrip().startswith(b"<"):
            xml.dom.minidom.parseString(part)  # well-formed


def test_a_cell_that_has_a_note_keeps_it_and_nothing_changes() -> None:
    comments = (
        b'<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>Anna</author></authors>'
        b'<commentList><comment ref="F5" authorId="0"><text><t>Min egen</t></text></comment></commentList></comments>'
    )
    rels = RELS.replace(
        b"</Relationships>",
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments1.xml"/>'
        b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/>'
        b"</Relationships>",
    )
    parts = {
        "xl/worksheets/_rels/sheet1.xml.rels": rels,
        "xl/comments1.xml": comments,
        "xl/drawings/vmlDrawing1.vml": b'<xml><o:idmap v:ext="edit" data="1"/><v:shape id="_x0000_s1025"/></xml>',
        "[Content_Types].xml": TYPES,
    }
    sheet, changed = add_notes("xl/worksheets/sheet1.xml", SHEET, {(4, 5): "Förslag"}, parts.get, set(parts))
    assert sheet == SHEET and changed == {}
    sheet, changed = add_notes("xl/worksheets/sheet1.xml", SHEET, {(4, 5): "Förslag", (5, 5): "Förslag"}, parts.get, set(parts))
    assert sheet == SHEET and set(changed) == {"xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"}
    assert changed["xl/comments1.xml"].count(b"<comment ") == 2 and b"Min egen" in changed["xl/comments1.xml"]
    assert b"<author>Anna</author><author>vpexcel</author>" in changed["xl/comments1.xml"]
    vml = changed["xl/drawings/vmlDrawing1.vml"]
    assert b'<v:shape id="_x0000_s1025"/>' in vml and b'id="_x0000_s1026"' in vml and b'id="_x0000_t202"' in vml


def test_a_comments_part_with_a_namespace_prefix_gets_prefixed_notes() -> None:
    part = (
        b'<x:comments xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:authors><x:author>A</x:author>'
        b"</x:authors><x:commentList></x:commentList></x:comments>"
    )
    out, added = _with_comments(part, {(1, 1): "ja"})
    assert added == [(1, 1)]
    dom = xml.dom.minidom.parseString(out)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    assert [a.firstChild.data for a in dom.getElementsByTagNameNS(main, "author")] == ["A", "vpexcel"]
    assert dom.getElementsByTagNameNS(main, "comment")[0].getAttribute("ref") == "B2"
