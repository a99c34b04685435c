"""Reading the register for other apps' pages (no signing machinery imported)."""

from __future__ import annotations

from motcua.documents.models import OutgoingDocument


def signed_result_of(dossier) -> OutgoingDocument | None:
    """The register entry of the dossier's electronic result, when it was issued here (its
    public page checks the file)."""
    if dossier.result_file_id is None:
        return None
    return (
        OutgoingDocument.objects.filter(dossier=dossier, file_id=dossier.result_file_id)
        .only("public_id", "notation")
        .first()
    )
