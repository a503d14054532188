"""Write Grace's application icons for packaging: grace.png (256x256), grace.ico, grace.icns.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icon.py

They are rendered from resources/icons/grace.svg (the icon the window uses); if that is
missing, a simple one is drawn with QPainter so that a build never lacks an icon.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPen  # noqa: E402

HERE = Path(__file__).resolve().parent
SVG = HERE.parent / "resources" / "icons" / "grace.svg"
SIZE = 256


def render_svg(path: Path, size: int) -> QImage | None:
    """The SVG drawn at ``size`` pixels (through Qt's svg image plugin), or None."""
    image = QImage()
    if not path.is_file() or not image.load(str(path)):
        return None
    return image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation).convertToFormat(QImage.Format.Format_ARGB32)


def draw_icon(size: int) -> QImage:
    """A rounded blue-green square with a white ring and a yellow spark."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    gradient = QLinearGradient(0, 0, size, size)
    gradient.setColorAt(0, QColor("#3b82f6"))
    gradient.setColorAt(1, QColor("#0f9488"))
    p.setBrush(QBrush(gradient))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 52 * s, 52 * s)
    p.setPen(QPen(QColor("white"), 26 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(62 * s, 62 * s, 132 * s, 132 * s), 30 * 16, 300 * 16)
    p.drawLine(QPointF(134 * s, 140 * s), QPointF(194 * s, 140 * s))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#fde68a"))
    p.drawEllipse(QPointF(205 * s, 58 * s), 13 * s, 13 * s)
    p.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - image plugins need it
    image = render_svg(SVG, SIZE) or draw_icon(SIZE)
    for suffix in ("png", "ico", "icns"):
        out = HERE / f"grace.{suffix}"
        if not image.save(str(out), suffix.upper()):
            print(f"could not write {out}", file=sys.stderr)
            return 1
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
