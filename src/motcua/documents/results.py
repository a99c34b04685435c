"""Result documents of procedures (issue 7 §1): what a procedure's result looks like, rendered
from its template as an outgoing document of Nghị định 30/2020/NĐ-CP (Phụ lục I: national title
and motto, issuing agency, "Số: 01/XNTTHN-UBND", place and date, type, content, the signer's
competence, position and name, recipients), with the QR code of its verification page, as
PDF/A-3b with Liberation Serif embedded.

    RESULT_KINDS: procedure code -> ResultKind
    render_result(kind, *, agency, notation, issued_on, values, signer_name, competence,
                  recipients, verify_url) -> Rendered(pdf, signature_box)

The wording of the two seed templates follows the Ministry of Justice's forms as motcua's
authors know them; it is **UNCONFIRMED** against the forms in force (TT 04/2020/TT-BTP for the
marital-status certificate; NĐ 23/2015/NĐ-CP for the endorsement of a certified copy), as is
each result's type abbreviation. A province changes them in the templates and in
``RESULT_KINDS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from motcua.dossiers.documents.barcode import qr_data_uri
from motcua.dossiers.documents.pdf import FONT_DIR, FONT_FAMILY, _local_fetcher, font_face_css
from motcua.dossiers.documents.text import heading, long_date

PX_TO_PT = 0.75  # CSS pixels (1/96 in) to PDF points (1/72 in)


@dataclass(frozen=True)
class ResultField:
    name: str
    label: str
    required: bool = True


@dataclass(frozen=True)
class ResultKind:
    procedure: str  # the national procedure code
    type_name: str  # the result's type, as registered
    type_notation: str  # its part of the notation ("XNTTHN" in "01/XNTTHN-UBND")
    title: str
    template: str
    fields: tuple[ResultField, ...]
    summary: str = ""  # the line under the title, from the values ("{full_name}")

    def missing(self, values: dict[str, str]) -> list[ResultField]:
        return [f for f in self.fields if f.required and not str(values.get(f.name, "")).strip()]


RESULT_KINDS: dict[str, ResultKind] = {
    kind.procedure: kind
    for kind in (
        ResultKind(
            procedure="1.004873",
            type_name="Giấy xác nhận tình trạng hôn nhân",
            type_notation="XNTTHN",
            title="Giấy xác nhận tình trạng hôn nhân",
            template="documents/results/xac-nhan-tinh-trang-hon-nhan.html",
            fields=(
                ResultField("full_name", "Họ, chữ đệm, tên"),
                ResultField("birth_date", "Ngày, tháng, năm sinh"),
                ResultField("sex", "Giới tính"),
                ResultField("ethnicity", "Dân tộc"),
                ResultField("nationality", "Quốc tịch"),
                ResultField("identity", "Giấy tờ tùy thân"),
                ResultField("residence", "Nơi cư trú"),
                ResultField("status", "Tình trạng hôn nhân"),
                ResultField("purpose", "Mục đích sử dụng"),
            ),
        ),
        ResultKind(
            procedure="2.000815",
            type_name="Lời chứng chứng thực bản sao từ bản chính",
            type_notation="CTBS",
            title="Lời chứng chứng thực bản sao từ bản chính",
            template="documents/results/chung-thuc-ban-sao.html",
            fields=(
                ResultField("document", "Giấy tờ, văn bản"),
                ResultField("pages", "Số trang"),
                ResultField("copies", "Số bản sao"),
                ResultField("requester", "Người yêu cầu chứng thực"),
                ResultField("register_number", "Số chứng thực"),
                ResultField("register_book", "Quyển số"),
            ),
        ),
    )
}


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    # Where the signer's digital signature is drawn: the last page's room to sign, in PDF
    # points from the bottom left (x1, y1, x2, y2), and the page (0-based).
    signature_box: tuple[int, int, int, int]
    signature_page: int


def _sign_space(document) -> tuple[int, tuple[int, int, int, int]]:
    """The page and box of the ``.sign-space`` element in a rendered WeasyPrint document."""
    for index in range(len(document.pages) - 1, -1, -1):
        page = document.pages[index]
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            classes = (element.get("class") or "").split() if element is not None else []
            if "sign-space" in classes:
                height_pt = page.height * PX_TO_PT
                x1 = box.position_x * PX_TO_PT
                x2 = x1 + box.width * PX_TO_PT
                top = box.position_y * PX_TO_PT
                bottom = top + box.height * PX_TO_PT
                return index, (int(x1), int(height_pt - bottom), int(x2), int(height_pt - top))
            stack.extend(getattr(box, "children", []))
    raise ValueError("the template has no .sign-space for the signature")


def render_result(
    kind: ResultKind,
    *,
    agency,
    notation: str,
    issued_on: dt.date,
    place: str,
    values: dict[str, str],
    signer_name: str,
    competence: list[str],
    recipients: list[str],
    verify_url: str,
) -> Rendered:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    context = {
        "form": {"label": "", "title": kind.title},
        "issuer": heading(agency),
        "agency_name": agency.name,
        "document_number": notation,
        "place": place,
        "date_line": long_date(issued_on),
        "summary": kind.summary.format(**values) if kind.summary else "",
        "values": values,
        "signer_name": signer_name,
        "competence": competence,
        "recipients": recipients,
        "verify_url": verify_url,
        "qr_uri": qr_data_uri(verify_url),
        "font_css": mark_safe(font_face_css()),  # noqa: S308 - our own constant CSS
        "font_family": FONT_FAMILY,
    }
    html = render_to_string(kind.template, context)
    document = HTML(
        string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_local_fetcher()
    ).render(font_config=FontConfiguration())
    page, box = _sign_space(document)
    pdf = document.write_pdf(pdf_variant="pdf/a-3b")
    return Rendered(pdf=pdf, signature_box=box, signature_page=page)
