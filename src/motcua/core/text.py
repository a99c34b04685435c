"""Text helpers for Vietnamese: accent-insensitive search keys."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def search_key(text: str) -> str:
    """Fold Vietnamese text to lower-case ASCII for accent-insensitive matching.

    "Chứng thực bản sao" -> "chung thuc ban sao"; "Đăng ký" -> "dang ky". The letter đ/Đ is not a
    composed character (it has no decomposition), so it is mapped explicitly.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.casefold()).strip()
