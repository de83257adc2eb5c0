"""A minimal one-page PDF writer for certificates (PDF 1.4, built-in Helvetica fonts). Pure, no dependencies.

Only what a certificate needs: centred lines of text in a few sizes, rules and a
border. Text is encoded as WinAnsi (Latin-1); other characters become '?'.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 842, 595  # A4 landscape, points
# Approximate average glyph widths (in 1/1000 em) for centring: good enough for titles.
_AVG_WIDTH = {"F1": 0.52, "F2": 0.56, "F3": 0.50}


@dataclass(frozen=True)
class Line:
    text: str
    size: float
    y: float
    font: str = "F1"  # F1 Helvetica, F2 Helvetica-Bold, F3 Helvetica-Oblique
    gray: float = 0.1


def _escape(text: str) -> str:
    encoded = text.encode("cp1252", errors="replace").decode("latin-1")
    return encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\r", " ").replace("\n", " ")


def _text_width(text: str, size: float, font: str) -> float:
    return len(text) * size * _AVG_WIDTH.get(font, 0.52)


def _content_stream(lines: list[Line], *, accent_rgb: tuple[float, float, float]) -> bytes:
    r, g, b = accent_rgb
    ops = [
        f"{r} {g} {b} RG 6 w 24 24 {PAGE_WIDTH - 48} {PAGE_HEIGHT - 48} re S",
        "0.8 0.83 0.9 RG 1 w 36 36 " f"{PAGE_WIDTH - 72} {PAGE_HEIGHT - 72} re S",
        f"{r} {g} {b} RG 1.5 w {PAGE_WIDTH / 2 - 120} 300 m {PAGE_WIDTH / 2 + 120} 300 l S",
    ]
    for line in lines:
        size = line.size
        while _text_width(line.text, size, line.font) > PAGE_WIDTH - 120 and size > 8:
            size -= 1
        x = max(60, (PAGE_WIDTH - _text_width(line.text, size, line.font)) / 2)
        ops.append(f"BT /{line.font} {size} Tf {line.gray} g {x:.1f} {line.y:.1f} Td ({_escape(line.text)}) Tj ET")
    return "\n".join(ops).encode("latin-1")


def build_pdf(lines: list[Line], *, title: str = "Certificate", accent_rgb: tuple[float, float, float] = (0.12, 0.37, 0.75)) -> bytes:
    """Assemble a valid single-page PDF with a cross-reference table."""
    content = _content_stream(lines, accent_rgb=accent_rgb)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
         "/Resources << /Font << /F1 5 0 R /F2 6 0 R /F3 7 0 R >> >> /Contents 4 0 R >>").encode(),
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Oblique /Encoding /WinAnsiEncoding >>",
        f"<< /Title ({_escape(title)}) /Producer (Codewise) >>".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def certificate_pdf(*, student_name: str, program_title: str, issued_on: str, ceu_hours: str, verify_url: str,
                    credential_focus: str = "") -> bytes:
    lines = [
        Line("CODEWISE", 14, 500, "F2", 0.35),
        Line("Certificate of Completion", 34, 440, "F2"),
        Line("This certifies that", 14, 395, "F3", 0.35),
        Line(student_name, 30, 345, "F2"),
        Line("has completed the program", 14, 265, "F3", 0.35),
        Line(program_title, 22, 230, "F2"),
        Line(" · ".join(p for p in [f"Issued {issued_on}", f"{ceu_hours} CEU hours",
                                    f"{credential_focus} preparation" if credential_focus else ""] if p), 12, 180),
        Line("Verify this certificate at", 10, 110, "F1", 0.35),
        Line(verify_url, 10, 94, "F1", 0.2),
    ]
    return build_pdf(lines, title=f"Certificate: {program_title}")
