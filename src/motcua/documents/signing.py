"""PAdES signatures on PDF results (issue 7), with pyHanko.

    configured_timestamper() -> TimeStamper | None       MOTCUA_TSA_URL (B-T), or none (B-B)
    pkcs12_signer(data, passphrase) -> Signer            a key in a PKCS#12 file
    pkcs11_signer(module, *, token_label, pin, key_label) -> Signer (context manager): a key on
        a USB token or an HSM through its PKCS#11 module (SoftHSM2 in tests)
    sign_pdf(pdf, signer, *, field, appearance, box, page=-1, timestamper=None) -> bytes

``sign_pdf`` adds one signature in an incremental update, so a document can carry the leader's
personal signature and then the agency's seal signature (ký số tổ chức), each leaving the ones
before it intact. The signature is PAdES baseline B-B (``ETSI.CAdES.detached``, SHA-256, the
signing certificate attribute) and B-T when a timestamper (RFC 3161) is given.

The visible appearance is a box with the signer's name, position and the signing time in
Vietnam's time, in Liberation Serif (the Times New Roman metric twin of Nghị định 30/2020), so
that Vietnamese diacritics are drawn; the font is subset into the PDF. Where a picture of the
signature or of the seal is configured (``Appearance.image``), it is drawn at the box's left.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from PIL import Image
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.pkcs11 import PKCS11Error, PKCS11Signer
from pyhanko.stamp import TextStampStyle

from motcua.core.workcal import VIETNAM
from motcua.documents import tokens

FONT = Path(__file__).resolve().parent.parent / "core" / "fonts" / "LiberationSerif-Regular.ttf"
FONT_SIZE = 9
# The signature's room in the PDF, reserved before hashing: enough for a 4096-bit RSA signature,
# its certificate chain of three and a timestamp token (pyHanko's estimate signs twice).
RESERVED_BYTES = 16_384


class SigningError(ValueError):
    """The document or the key cannot be used to sign (the message says which)."""


@dataclass(frozen=True)
class Appearance:
    """What the visible signature says.

    ``heading`` is the line above the name in a personal signature (the signer's competence
    and position, e.g. "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"); for a seal it is the agency."""

    name: str
    heading: str
    reason: str = ""
    location: str = ""
    image: bytes | None = None  # the signature's or the seal's picture (PNG, JPEG), if any


def configured_timestamper() -> timestamps.TimeStamper | None:
    """The RFC 3161 time-stamping authority of ``MOTCUA_TSA_URL``: with one, signatures are
    PAdES B-T (the token proves the signature existed at that time); without, B-B."""
    url = getattr(settings, "MOTCUA_TSA_URL", "")
    return timestamps.HTTPTimeStamper(url, timeout=10) if url else None


def pkcs12_signer(data: bytes, passphrase: str | None) -> signers.SimpleSigner:
    """The key and certificate chain of a PKCS#12 file."""
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase.encode() if passphrase else None
        )
    except (ValueError, TypeError) as error:
        raise SigningError(f"the PKCS#12 file cannot be read: {error}") from error
    if signer is None or signer.signing_cert is None:
        raise SigningError("the PKCS#12 file holds no key and certificate")
    return signer


@functools.cache
def stamp_font() -> str:
    """The appearance's font file: Liberation Serif scaled to 1,000 units per em. pyHanko 0.38
    writes a subset font's glyph widths in the font's own units, which PDF reads as thousandths
    of an em, so the 2,048-unit TrueType original is drawn with every letter spaced out. Made
    once, in the data directory's cache."""
    target = Path(settings.DATA_DIR) / "cache" / f"{FONT.stem}-upem1000.ttf"
    if not target.exists():
        font = TTFont(FONT)
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        font.save(partial)
        partial.replace(target)  # atomic: another process may be making it too
    return str(target)


@contextmanager
def pkcs11_signer(
    module: str,
    *,
    token_label: str = "",
    pin: str,
    key_label: str,
    chain: Iterable[bytes] = (),
    slot: int | None = None,
) -> Iterator[signers.Signer]:
    """The key ``key_label`` on a PKCS#11 token, with the certificate stored beside it under
    the same label; ``chain`` (DER) adds the certificates above it. The token is found by its
    ``slot`` number when one is given, else by its label. The token signs: only the
    document's digest goes in and the signature comes out."""
    extra = [asn1_x509.Certificate.load(der) for der in chain]
    with tokens.open_session(module, token_label=token_label, pin=pin, slot=slot) as session:
        try:
            yield PKCS11Signer(session, key_label=key_label, cert_label=key_label, ca_chain=extra)
        except PKCS11Error as error:
            raise SigningError(f"the token could not sign with {key_label!r}: {error}") from error


def _style(image: bytes | None = None, width: int = 0) -> TextStampStyle:
    """The stamp: the text box, and with an ``image`` the picture in the left 40 % of the box
    (``width`` points wide), with the text shrunk into the rest."""
    picture: dict[str, Any] = {}
    if image is not None:
        try:
            loaded = Image.open(BytesIO(image))
            loaded.load()
        except (OSError, ValueError) as error:
            raise SigningError(f"the signature image cannot be read: {error}") from error
        picture = {
            "background": PdfImage(loaded.convert("RGBA") if loaded.mode == "P" else loaded),
            "background_opacity": 1.0,
            "background_layout": SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MIN,
                y_align=AxisAlignment.ALIGN_MID,
                margins=Margins(left=4, right=int(width * 0.6), top=4, bottom=4),
            ),
            "inner_content_layout": SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MIN,
                y_align=AxisAlignment.ALIGN_MID,
                margins=Margins(left=int(width * 0.42), right=4),
            ),
        }
    return TextStampStyle(
        stamp_text="%(heading)s\nKý bởi: %(signer)s\nThời gian ký: %(signed_at)s",
        # The engine and the box must share the size, or the lines drift (pyHanko issue 733).
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(stamp_font(), font_size=FONT_SIZE), font_size=FONT_SIZE
        ),
        border_width=1,
        border_color=(0.75, 0.1, 0.1),
        **picture,
    )


def sign_pdf(
    pdf: bytes,
    signer: signers.Signer,
    *,
    field: str,
    appearance: Appearance,
    box: tuple[int, int, int, int] | None,
    page: int = -1,
    timestamper: timestamps.TimeStamper | None = None,
) -> bytes:
    """``pdf`` with one more signature, in the field ``field`` drawn at ``box`` (x1, y1, x2,
    y2 in points from the bottom left) on ``page`` (-1: the last); with no ``box`` the
    signature has no appearance (a file whose pages are not ours to draw on)."""
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as error:  # pyHanko raises its own errors for a damaged file
        raise SigningError(f"this is not a PDF that can be signed: {error}") from error
    pages = int(writer.root["/Pages"]["/Count"])
    on_page = page if page >= 0 else pages + page
    if not 0 <= on_page < pages:
        raise SigningError(f"the document has no page {page}")
    existing = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
    if field in existing:
        raise SigningError(f"the document already has a signature field {field!r}")
    fields.append_signature_field(
        writer, fields.SigFieldSpec(sig_field_name=field, on_page=on_page, box=box)
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=appearance.reason or None,
        location=appearance.location or None,
        name=appearance.name,
        use_pades_lta=False,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        stamp_style=_style(appearance.image, (box[2] - box[0]) if box else 0),
        timestamper=timestamper,
    )
    # The time shown, in Vietnam's time whatever the server's zone (the signature's signing-time
    # attribute is taken a moment later, by pyHanko).
    shown = dt.datetime.now(dt.UTC).astimezone(VIETNAM)
    output = BytesIO()
    pdf_signer.sign_pdf(
        writer,
        bytes_reserved=RESERVED_BYTES,
        appearance_text_params={
            "heading": appearance.heading,
            "signer": appearance.name,
            "signed_at": f"{shown:%H:%M:%S %d/%m/%Y} (UTC+7)",
        },
        output=output,
    )
    return output.getvalue()


def signature_count(pdf: bytes) -> int:
    """How many signatures ``pdf`` carries."""
    return len(PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures)


__all__ = [
    "Appearance",
    "SigningError",
    "pkcs11_signer",
    "pkcs12_signer",
    "sign_pdf",
    "signature_count",
]
