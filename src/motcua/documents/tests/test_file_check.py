"""``motcua verify-files`` (issue 7 §5): every stored file is re-hashed; one changed on disk and
one gone are both reported, and the command fails."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.documents.services.file_check import stored_files_check
from motcua.dossiers.services.files import stored_file_put

PDF = b"%PDF-1.4\n% motcua test file %d\n%%EOF\n"


@pytest.mark.django_db
def test_changed_and_missing_files_are_found():
    files = [
        stored_file_put(content=PDF.replace(b"%d", str(n).encode()), name=f"{n}.pdf")
        for n in range(5)
    ]
    result = stored_files_check(batch=2)  # several batches
    assert (result.checked, result.ok) == (5, True)
    assert result.bytes_read == sum(f.size for f in files)
    out = StringIO()
    call_command("verify_files", stdout=out)
    assert "5 files checked" in out.getvalue() and "0 changed, 0 missing" in out.getvalue()

    with files[1].file.open("wb") as handle:
        handle.write(b"%PDF-1.4\n% altered\n%%EOF\n")
    files[3].file.storage.delete(files[3].file.name)
    result = stored_files_check()
    assert [f.pk for f in result.changed] == [files[1].pk]
    assert [f.pk for f in result.missing] == [files[3].pk]
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_files", stdout=out)
    assert failed.value.returncode == 1
    assert f"changed: {files[1].file.name}" in out.getvalue()
    assert f"missing: {files[3].file.name}" in out.getvalue()
