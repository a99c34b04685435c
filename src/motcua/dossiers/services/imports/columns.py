"""The columns of an import file: the names accepted in the header (motcua's keys, the legacy
systems' and the national sync's names, aliases) and the values accepted in the cells."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from motcua.catalog.choices import Channel
from motcua.core.text import search_key
from motcua.dossiers.choices import DossierState, ResultKind, ReturnMethod


@dataclass(frozen=True)
class Column:
    key: str
    legacy: str  # the name used by the legacy systems and the national sync (SPEC.md §1.9)
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("code", "MaHoSo", ("Mã hồ sơ", "SoHoSo"), required=True),
    Column("procedure_code", "MaTTHC", ("Mã TTHC", "Mã thủ tục"), required=True),
    Column("variant", "MaTruongHop", ("Trường hợp",)),
    Column("receiving_agency", "DonViTiepNhan", ("MaDonViTiepNhan", "NoiNopHoSo"), required=True),
    Column("handling_agency", "DonViXuLy", ("MaDonViXuLy",)),
    Column("channel", "KenhThucHien", ("Kênh thực hiện",), required=True),
    Column("status", "TrangThaiHoSo", ("Trạng thái",), required=True),
    Column("applicant_type", "LoaiDoiTuong"),
    Column("applicant_name", "ChuHoSo", ("Chủ hồ sơ", "TenChuHoSo"), required=True),
    Column("applicant_id_number", "SoGiayToChuHoSo", ("CCCD",)),
    Column("applicant_phone", "SoDienThoai"),
    Column("applicant_email", "Email"),
    Column("applicant_address", "DiaChi", ("DiaChiChuHoSo",)),
    Column("summary", "TrichYeuHoSo"),
    Column("submitted_at", "NgayNopHoSo"),
    Column("received_at", "NgayTiepNhan"),
    Column("due_at", "NgayHenTra"),
    Column("original_due_at", "NgayHenTraBanDau", ("NgayHenTraGoc",)),
    Column("finished_at", "NgayKetThucXuLy"),
    Column("returned_at", "NgayTra", ("NgayTraKetQua",)),
    Column("stopped_at", "NgayDungXuLy"),
    Column("rejected_at", "NgayTuChoi"),
    Column("withdrawn_at", "NgayRutHoSo"),
    Column("payment_requested_at", "NgayYeuCauThanhToan"),
    Column("paid_at", "NgayThanhToan"),
    Column("result_kind", "KetQuaGiaiQuyet"),
    Column("return_method", "HinhThucTra", ("HinhThuc",)),
    Column("result_recipient", "NguoiNhanKetQua"),
    Column("supplements", "DanhSachHoSoBoSung", ("BoSung",)),
    Column("extension_at", "NgayGiaHan"),
    Column("extension_new_due", "NgayHenTraMoi"),
    Column("extension_reason", "LyDoGiaHan"),
    Column("reason", "LyDo"),
    Column("paid", "DuocThanhToanTrucTuyen", ("DaThanhToan",)),
    Column("digitised", "HoSoCoThanhPhanSoHoa", ("DaSoHoa",)),
)
_BY_KEY = {column.key: column for column in COLUMNS}


def _header_key(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", search_key(str(text or "")))


_HEADERS = {
    _header_key(name): column.key
    for column in COLUMNS
    for name in (column.key, column.legacy, *column.aliases)
}

# DVCQG status codes → internal states (SPEC.md §1.7). Code 5 without a reception time is a
# completion request before reception.
_STATUS_CODES = {
    1: DossierState.SUBMITTED,
    2: DossierState.RECEIVED,
    3: DossierState.REJECTED,
    4: DossierState.IN_PROCESS,
    5: DossierState.SUPPLEMENT_REQUESTED,
    6: DossierState.PAYMENT_REQUESTED,
    7: DossierState.WITHDRAWAL_REQUESTED,
    8: DossierState.STOPPED,
    9: DossierState.RESOLVED,
    10: DossierState.RETURNED,
}
_CHANNELS = {
    "1": Channel.COUNTER,
    "2": Channel.ONLINE,
    "3": Channel.POST,
    "counter": Channel.COUNTER,
    "online": Channel.ONLINE,
    "post": Channel.POST,
    "truc tiep": Channel.COUNTER,
    "truc tuyen": Channel.ONLINE,
    "buu chinh": Channel.POST,
    "buu chinh cong ich": Channel.POST,
}
_RETURN_METHODS = {
    "1": ReturnMethod.COUNTER,
    "2": ReturnMethod.ONLINE,
    "3": ReturnMethod.POST,
    "counter": ReturnMethod.COUNTER,
    "online": ReturnMethod.ONLINE,
    "post": ReturnMethod.POST,
    "truc tiep": ReturnMethod.COUNTER,
    "truc tuyen": ReturnMethod.ONLINE,
    "buu chinh": ReturnMethod.POST,
}
_DEFAULT_RETURN = {
    Channel.COUNTER: ReturnMethod.COUNTER,
    Channel.ONLINE: ReturnMethod.ONLINE,
    Channel.POST: ReturnMethod.POST,
}
_RESULT_KINDS = {
    "approval": ResultKind.APPROVAL,
    "refusal": ResultKind.REFUSAL,
    "chap thuan": ResultKind.APPROVAL,
    "tu choi": ResultKind.REFUSAL,
}
_TRUE = {"1", "true", "x", "yes", "co"}
_FALSE = {"", "0", "false", "no", "khong"}

_MOMENT_KEYS = (
    "submitted_at",
    "received_at",
    "due_at",
    "original_due_at",
    "finished_at",
    "returned_at",
    "stopped_at",
    "rejected_at",
    "withdrawn_at",
    "payment_requested_at",
    "paid_at",
    "extension_at",
    "extension_new_due",
)
# Appointments: a date without a time means the end of that working day.
_APPOINTMENTS = frozenset({"due_at", "original_due_at", "extension_new_due"})
