"""Regenerate apps/static/NotoSansSC-Subset.ttf from Debian's fonts-noto-cjk (SIL OFL 1.1).

Subset: ASCII, Latin-1, general and CJK punctuation, full-width forms, and every character of
GB 2312 (6,763 hanzi), which covers names, charges and place names the product shows. The CFF
outlines are converted to TrueType (quadratic) so the same file serves the browser (@font-face) and
ReportLab's PDF embedding. Run: python tools/make_font.py
"""
from __future__ import annotations

from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection, newTable

SRC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
OUT = Path(__file__).resolve().parent.parent / "apps" / "static" / "NotoSansSC-Subset.ttf"


def gb2312_chars() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def main() -> None:
    coll = TTCollection(str(SRC))
    font = next(f for f in coll.fonts if "SC" in f["name"].getDebugName(1))
    text = set(map(chr, range(0x20, 0x100))) | gb2312_chars()
    text |= set(map(chr, range(0x3000, 0x3040))) | set(map(chr, range(0xFF00, 0xFFEF)))
    text |= set(map(chr, range(0x2010, 0x2070))) | set("℃№ⅠⅡⅢⅣⅤⅥ→←↑↓●○■□▲△◆◇★☆✓✗×÷±≤≥≠≈")
    opts = Options()
    opts.layout_features = ["kern"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    sub = Subsetter(opts)
    sub.populate(text="".join(sorted(text)))
    sub.subset(font)
    # CFF -> glyf (quadratic curves)
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    # Family name the apps refer to.
    for rec in font["name"].names:
        if rec.nameID in (1, 16):
            rec.string = "NotoSansSC"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {len(glyph_order)} glyphs)")


if __name__ == "__main__":
    main()
