"""Assembling the carousel PDF with pikepdf: pages, the text layer's font,
the structure tree that gives each slide its alt text, the metadata. The
same pages give the same bytes: no dates, and the file identifier is a
digest of the content."""

import io
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from rendering.engine.pdf import font
from rendering.engine.pdf.content import POINTS_PER_PIXEL, Raster, page_content, raster
from rendering.engine.pdf.model import PdfPage
from rendering.engine.pdf.order import Placement, placement, reads_left_to_right

PRODUCER = "Thread Navigator"
SUBJECT_LIMIT = 4000


def carousel_pdf(pages: Sequence[PdfPage], *, title: str, subject: str, language: str) -> bytes:
    """A page per slide, its image over its invisible text; tagged: one
    Figure per page carrying the slide's alt text. `language` is a BCP 47
    tag; `subject` goes into the document information, cut to
    `SUBJECT_LIMIT` characters."""
    document = pikepdf.new()
    placements = [page_placements(page) for page in pages]
    cids = font.assign_cids(placed.chars for page in placements for placed in page)
    text_font = font_object(document, cids)
    tree = structure_root(document)
    figures = [
        add_page(document, page, lines, cids, text_font, tree, number)
        for number, (page, lines) in enumerate(zip(pages, placements, strict=True))
    ]
    finish_structure(document, tree, figures)
    describe(document, title=title, subject=subject, language=language)
    buffer = io.BytesIO()
    document.save(buffer, deterministic_id=True, min_version="1.7")
    return buffer.getvalue()


def page_placements(page: PdfPage) -> list[Placement]:
    """Where each line's characters go, for the direction poppler will
    read this page in (see `order`)."""
    left_to_right = reads_left_to_right([line.text for line in page.lines])
    return [placement(line.text, left_to_right) for line in page.lines]


def add_page(
    document: Pdf,
    page: PdfPage,
    placements: list[Placement],
    cids: dict[str, int],
    text_font: pikepdf.Object,
    tree: pikepdf.Object,
    number: int,
) -> pikepdf.Object:
    """The page and the Figure element over its two marked-content
    sequences; returns the Figure."""
    width, height = page.width * POINTS_PER_PIXEL, page.height * POINTS_PER_PIXEL
    added = document.add_blank_page(page_size=(width, height))
    added.obj.Resources = Dictionary(
        XObject=Dictionary(Slide=image_object(document, raster(page.png))),
        Font=Dictionary(Text=text_font),
    )
    added.obj.Contents = document.make_stream(page_content(page, placements, cids))
    added.obj.StructParents = number
    added.obj.Tabs = Name.S
    return document.make_indirect(
        Dictionary(
            Type=Name.StructElem,
            S=Name.Figure,
            P=tree.K[0],
            Pg=added.obj,
            Alt=String(page.alt),
            A=Dictionary(O=Name.Layout, BBox=Array([0, 0, width, height])),
            K=Array([0, 1]),
        )
    )


def image_object(document: Pdf, image: Raster) -> pikepdf.Stream:
    """The image XObject, its data stored as given (already compressed)."""
    stream = pikepdf.Stream(document, image.data)
    stream.Type, stream.Subtype = Name.XObject, Name.Image
    stream.Width, stream.Height = image.width, image.height
    stream.ColorSpace = Name("/" + image.colour_space)
    stream.BitsPerComponent = 8
    stream.Filter = Name.FlateDecode
    if image.parameters:
        stream.DecodeParms = Dictionary({"/" + key: value for key, value in image.parameters.items()})
    if image.mask:
        stream.SMask = image_object(document, image.mask)
    return stream


def font_object(document: Pdf, cids: dict[str, int]) -> pikepdf.Object:
    """The Type0 font over the glyphless CIDFontType2 (see `font`)."""
    owners = font.characters(cids)
    name = Name("/" + font.NAME)
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=name,
        Flags=4,
        FontBBox=Array([0, font.DESCENT, font.WIDE, font.ASCENT]),
        ItalicAngle=0,
        Ascent=font.ASCENT,
        Descent=font.DESCENT,
        CapHeight=font.ASCENT,
        StemV=80,
        FontFile2=pikepdf.Stream(document, font.glyphless_font()),
    )
    descendant = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=name,
        CIDSystemInfo=Dictionary(Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0),
        FontDescriptor=document.make_indirect(descriptor),
        DW=font.NORMAL,
        W=Array([1, Array(font.widths(owners))]),
        CIDToGIDMap=pikepdf.Stream(document, font.cid_to_gid(owners)),
    )
    return document.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type0,
            BaseFont=name,
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([document.make_indirect(descendant)]),
            ToUnicode=pikepdf.Stream(document, font.to_unicode(owners)),
        )
    )


def structure_root(document: Pdf) -> pikepdf.Object:
    """The StructTreeRoot over one Document element (filled by
    `finish_structure` once the pages' Figures exist)."""
    root = document.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    root.K = Array([document.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))])
    return root


def finish_structure(document: Pdf, tree: pikepdf.Object, figures: list[pikepdf.Object]) -> None:
    """The Figures under the Document element, and the parent tree that
    leads each page's marked content (MCID 0 and 1) back to its Figure."""
    tree.K[0].K = Array(figures)
    tree.ParentTree = document.make_indirect(
        Dictionary(
            Nums=Array(
                [item for number, figure in enumerate(figures) for item in (number, Array([figure, figure]))]
            )
        )
    )
    tree.ParentTreeNextKey = len(figures)
    document.Root.StructTreeRoot = tree
    document.Root.MarkInfo = Dictionary(Marked=True)


def describe(document: Pdf, *, title: str, subject: str, language: str) -> None:
    """Title (shown by viewers instead of the file name), language, subject
    and producer, in the document information and the XMP metadata alike."""
    document.Root.Lang = String(language)
    document.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    with document.open_metadata(set_pikepdf_as_editor=False) as metadata:
        metadata["dc:title"] = title
        metadata["dc:description"] = subject[:SUBJECT_LIMIT]
        metadata["dc:language"] = [language]
        metadata["xmp:CreatorTool"] = PRODUCER
        metadata["pdf:Producer"] = PRODUCER
