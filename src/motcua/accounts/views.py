"""Account pages of our own (allauth serves sign-up, login, e-mail, password, phone and MFA)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from motcua.accounts.forms import ProfileForm
from motcua.accounts.services import user_profile_update
from motcua.core.errors import ValidationFailed
from motcua.org import selectors as org


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Hồ sơ cá nhân. Posting with ``choose_province`` only reloads the commune list."""
    user = request.user
    provinces = list(org.provinces())
    if request.method == "POST":
        province_code = request.POST.get("province", "")
    else:
        province_code = user.province.code if user.province else ""
    province = next((p for p in provinces if p.code == province_code), None)
    communes = list(org.communes_of(province)) if province else []
    choosing = request.method == "POST" and "choose_province" in request.POST
    if choosing:
        # Only the commune list changes: keep what was typed, show no errors yet.
        keep = ("full_name", "id_number", "date_of_birth", "address")
        initial = {name: request.POST.get(name, "") for name in keep}
        initial.update(province=province_code, commune="")
        if user.identity_verified_by:
            initial.update(
                full_name=user.full_name, id_number=user.id_number, date_of_birth=user.date_of_birth
            )
    else:
        initial = {
            "full_name": user.full_name,
            "id_number": user.id_number,
            "date_of_birth": user.date_of_birth,
            "address": user.address,
            "province": province_code,
            "commune": user.commune.code if user.commune else "",
        }
    form = ProfileForm(
        request.POST if request.method == "POST" and not choosing else None,
        initial=initial,
        provinces=provinces,
        communes=communes,
        verified_by=user.identity_verified_by,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        commune = next((c for c in communes if c.code == data["commune"]), None)
        try:
            user_profile_update(
                user=user,
                data={
                    "full_name": data["full_name"],
                    "id_number": data["id_number"],
                    "date_of_birth": data["date_of_birth"],
                    "address": data["address"],
                    "province": province,
                    "commune": commune,
                },
            )
        except ValidationFailed as error:
            form.add_error(error.params.get("field"), str(error.message))
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "province": province, "choosing": choosing},
    )
