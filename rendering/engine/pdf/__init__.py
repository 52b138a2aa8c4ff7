"""Carousel PDFs: each slide's PNG as a lossless page image under an
invisible, selectable and searchable text layer, tagged so that screen
readers read each slide's alt text once.

The renderer hands over `PdfPage`s (plain data, no layout types);
`document.carousel_pdf` assembles them. It lives in its own module so that
pikepdf and fontTools load only when a PDF is made."""

from rendering.engine.pdf.model import PdfLine, PdfPage

__all__ = ["PdfLine", "PdfPage"]
