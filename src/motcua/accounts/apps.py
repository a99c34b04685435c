from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.socialaccount.signals import social_account_updated

        from motcua.accounts.adapter import on_social_account_updated

        social_account_updated.connect(on_social_account_updated, dispatch_uid="motcua-oidc-sync")
