"""Writers of the accounts app (STYLE.md §4): the only code that changes a user's profile."""

from motcua.accounts.services.profile import ProfileData, user_profile_update

__all__ = ["ProfileData", "user_profile_update"]
